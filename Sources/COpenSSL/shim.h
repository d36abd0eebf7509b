#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/crypto.h>

// OpenSSL's function-like macros are invisible to Swift: each is wrapped here as a
// static inline function with a `COpenSSL_` prefix, saying which macro it stands for.

/// BIO_flush(b): macro over BIO_ctrl(b, BIO_CTRL_FLUSH, 0, NULL).
static inline int COpenSSL_BIO_flush(BIO *_Nonnull b) { return (int)BIO_flush(b); }

#endif
