#ifndef CRNP_SHIM_H
#define CRNP_SHIM_H

// librnp's C API (Debian librnp-dev 0.16.x). Imported only by ARLinkEnvelope.
#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#endif
