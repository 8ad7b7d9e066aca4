# tests/osslgmac.py — GMAC-AES-256 with a 16-byte IV, computed by OpenSSL
# (not by libgcrypt, which the tools use): AES-256-GCM's tag of no
# plaintext and the message as its additional data (NIST SP 800-38D), as
# jukisec-log(5) "Formats" defines format 2's tag.
#
# OpenSSL's libcrypto is called through ctypes: a process per record
# (openssl mac) costs minutes for the logs the tests verify and forge.
# The first call checks that answer against the openssl mac command's.
import ctypes, ctypes.util, os, subprocess, sys

def _libcrypto():
    try:
        c = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
        c.EVP_aes_256_gcm.restype = c.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
        c.EVP_EncryptInit_ex.argtypes = [ctypes.c_void_p] * 5
        c.EVP_EncryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        c.EVP_EncryptFinal_ex.argtypes = [ctypes.c_void_p] * 3
        c.EVP_CIPHER_CTX_ctrl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                          ctypes.c_void_p]
        c.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]
        return c
    except (OSError, AttributeError):
        return None

def _lib_gmac(c, key, iv, msg):
    ctx, n, tag = c.EVP_CIPHER_CTX_new(), ctypes.c_int(0), ctypes.create_string_buffer(16)
    ok = (c.EVP_EncryptInit_ex(ctx, c.EVP_aes_256_gcm(), None, None, None) == 1 and
          c.EVP_CIPHER_CTX_ctrl(ctx, 0x9, len(iv), None) == 1 and     # SET_IVLEN
          c.EVP_EncryptInit_ex(ctx, None, None, key, iv) == 1 and
          c.EVP_EncryptUpdate(ctx, None, ctypes.byref(n), msg, len(msg)) == 1 and
          c.EVP_EncryptFinal_ex(ctx, tag, ctypes.byref(n)) == 1 and
          c.EVP_CIPHER_CTX_ctrl(ctx, 0x10, 16, tag) == 1)             # GET_TAG
    c.EVP_CIPHER_CTX_free(ctx)
    if not ok:
        sys.exit("libcrypto: AES-256-GCM failed")
    return tag.raw

def _cmd_gmac(key, iv, msg):
    out = subprocess.run(["openssl", "mac", "-cipher", "AES-256-GCM",
                          "-macopt", "hexkey:" + key.hex(), "-macopt", "hexiv:" + iv.hex(),
                          "GMAC"], input=msg, capture_output=True, check=True).stdout
    return bytes.fromhex(out.decode().strip())

_lib = []

def gmac(key, iv, msg):
    """The 16-byte GMAC-AES-256 tag of msg under key with IV iv."""
    if not _lib:
        c = _libcrypto()
        k, v, m = os.urandom(32), os.urandom(16), os.urandom(200)
        if c is not None and _lib_gmac(c, k, v, m) != _cmd_gmac(k, v, m):
            sys.exit("osslgmac: libcrypto and openssl mac disagree")
        _lib.append(c)
    if _lib[0] is None:
        return _cmd_gmac(key, iv, msg)
    return _lib_gmac(_lib[0], key, iv, msg)
