// ARLinkConfig module. See ../../docs and design section 2 for what this module owns.
