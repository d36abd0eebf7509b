#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/crypto.h>

// OpenSSL's function-like macros are invisible to Swift: each is wrapped here as a
// static inline function with a `COpenSSL_` prefix, saying which macro it stands for.

/// BIO_flush(b): macro over BIO_ctrl(b, BIO_CTRL_FLUSH, 0, NULL).
static inline int COpenSSL_BIO_flush(BIO *_Nonnull b) { return (int)BIO_flush(b); }

/// BIO_get_cipher_ctx(b, &ctx): macro over BIO_ctrl(b, BIO_C_GET_CIPHER_CTX, 0, ctx).
static inline EVP_CIPHER_CTX *_Nullable COpenSSL_BIO_get_cipher_ctx(BIO *_Nonnull b) {
    EVP_CIPHER_CTX *ctx = NULL;
    if (BIO_get_cipher_ctx(b, &ctx) <= 0) { return NULL; }
    return ctx;
}

/// BIO_get_mem_data(b, &p): macro over BIO_ctrl(b, BIO_CTRL_INFO, 0, p).
static inline long COpenSSL_BIO_get_mem_data(BIO *_Nonnull b, char *_Nullable *_Nonnull p) {
    return BIO_get_mem_data(b, p);
}

/// BIO_set_write_buffer_size(b, size): macro over BIO_int_ctrl(b, BIO_C_SET_BUFF_SIZE, size, 1).
static inline long COpenSSL_BIO_set_write_buffer_size(BIO *_Nonnull b, long size) {
    return BIO_set_write_buffer_size(b, size);
}

/// OPENSSL_free(p): macro over CRYPTO_free(p, __FILE__, __LINE__).
static inline void COpenSSL_OPENSSL_free(void *_Nullable p) { OPENSSL_free(p); }

/// sk_X509_new_null(): type-safe stack macro.
static inline STACK_OF(X509) *_Nullable COpenSSL_sk_X509_new_null(void) { return sk_X509_new_null(); }
/// sk_X509_push(sk, x): type-safe stack macro; the stack does not take a reference.
static inline int COpenSSL_sk_X509_push(STACK_OF(X509) *_Nonnull sk, X509 *_Nonnull x) { return sk_X509_push(sk, x); }
/// sk_X509_num(sk): type-safe stack macro.
static inline int COpenSSL_sk_X509_num(const STACK_OF(X509) *_Nullable sk) { return sk_X509_num(sk); }
/// sk_X509_value(sk, i): type-safe stack macro.
static inline X509 *_Nullable COpenSSL_sk_X509_value(const STACK_OF(X509) *_Nonnull sk, int i) { return sk_X509_value(sk, i); }
/// sk_X509_free(sk): frees the stack only, not the certificates.
static inline void COpenSSL_sk_X509_free(STACK_OF(X509) *_Nullable sk) { sk_X509_free(sk); }
/// sk_X509_pop_free(sk, X509_free): frees the stack and every certificate in it.
static inline void COpenSSL_sk_X509_pop_free(STACK_OF(X509) *_Nullable sk) { sk_X509_pop_free(sk, X509_free); }

/// sk_CMS_SignerInfo_num(sk): type-safe stack macro.
static inline int COpenSSL_sk_CMS_SignerInfo_num(STACK_OF(CMS_SignerInfo) *_Nullable sk) { return sk_CMS_SignerInfo_num(sk); }
/// sk_CMS_SignerInfo_value(sk, i): type-safe stack macro.
static inline CMS_SignerInfo *_Nullable COpenSSL_sk_CMS_SignerInfo_value(STACK_OF(CMS_SignerInfo) *_Nonnull sk, int i) {
    return sk_CMS_SignerInfo_value(sk, i);
}

/// sk_CMS_RecipientInfo_num(sk): type-safe stack macro.
static inline int COpenSSL_sk_CMS_RecipientInfo_num(STACK_OF(CMS_RecipientInfo) *_Nullable sk) { return sk_CMS_RecipientInfo_num(sk); }
/// sk_CMS_RecipientInfo_value(sk, i): type-safe stack macro.
static inline CMS_RecipientInfo *_Nullable COpenSSL_sk_CMS_RecipientInfo_value(STACK_OF(CMS_RecipientInfo) *_Nonnull sk, int i) {
    return sk_CMS_RecipientInfo_value(sk, i);
}

/// XN_FLAG_RFC2253 without ASN1_STRFLGS_ESC_MSB: composite flag macro, RFC 2253 names with UTF-8 kept.
static inline unsigned long COpenSSL_XN_FLAG_RFC2253_UTF8(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }

/// BIO_get_cipher_status(b): macro over BIO_ctrl(b, BIO_C_GET_CIPHER_STATUS, 0, NULL).
static inline int COpenSSL_BIO_get_cipher_status(BIO *_Nonnull b) { return (int)BIO_get_cipher_status(b); }

#endif
