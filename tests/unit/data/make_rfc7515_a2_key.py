#!/usr/bin/env python3
"""Writes rfc7515_a2_key.pem, the RSA key of RFC 7515 Appendix A.2, as PEM.

The RFC gives the key as a JWK (base64url big-endian integers). This script
turns them into an `openssl asn1parse -genconf` description of a PKCS#1
RSAPrivateKey SEQUENCE (version 0, n, e, d, p, q, dp, dq, qi), has openssl
encode that as DER, checks the key and converts it to an unencrypted PKCS#8
PEM next to this script. It was run once, from any directory, as

    python3 tests/unit/data/make_rfc7515_a2_key.py

with OpenSSL 3.0 on the PATH. Running it again rewrites the same file. The
unit test jwt_test.cc proves the key is the RFC's: RS256 over the RFC's
bytes must reproduce the RFC's signature exactly.
"""

import base64
import os
import subprocess
import tempfile

# RFC 7515 Appendix A.2.1, the JWK members in RSAPrivateKey order.
JWK = [
    ("n", "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
          "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs"
          "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH"
          "SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
          "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8"
          "NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"),
    ("e", "AQAB"),
    ("d", "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97I"
          "jlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0"
          "BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn"
          "439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYT"
          "CBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLh"
          "BOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"),
    ("p", "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdi"
          "YrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPG"
          "BY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"),
    ("q", "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxa"
          "ewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA"
          "-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"),
    ("dp", "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3Q"
           "CLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb"
           "34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0"),
    ("dq", "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa"
           "7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-ky"
           "NlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU"),
    ("qi", "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2o"
           "y26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLU"
           "W0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"),
]


def jwk_int(text):
    """The unsigned big-endian integer a base64url JWK member encodes."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return int.from_bytes(raw, "big")


def genconf():
    lines = ["asn1=SEQUENCE:rsa_key", "", "[rsa_key]", "version=INTEGER:0"]
    lines += ["%s=INTEGER:0x%X" % (name, jwk_int(value)) for name, value in JWK]
    return "\n".join(lines) + "\n"


def main():
    values = {name: jwk_int(value) for name, value in JWK}
    assert values["p"] * values["q"] == values["n"], "p*q != n: the JWK was mistyped"
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rfc7515_a2_key.pem")
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "key.cfg")
        der = os.path.join(tmp, "key.der")
        with open(cfg, "w") as f:
            f.write(genconf())
        subprocess.run(["openssl", "asn1parse", "-genconf", cfg, "-out", der, "-noout"], check=True)
        subprocess.run(["openssl", "rsa", "-inform", "DER", "-in", der, "-check", "-noout"], check=True)
        subprocess.run(["openssl", "pkey", "-inform", "DER", "-in", der, "-out", out], check=True)
    print("wrote", out)


if __name__ == "__main__":
    main()
