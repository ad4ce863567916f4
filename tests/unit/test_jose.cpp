// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include "acmecpp/error.hpp"
#include "core/base64.hpp"
#include "crypto/jose.hpp"
#include "crypto/openssl_ptr.hpp"
#include "key_fixtures.hpp"

using namespace acmecpp;
using namespace acmecpp::crypto;
using acmecpp::core::base64url_decode;
using acmecpp::core::base64url_encode;
using acmecpp::test::shared_key;
using nlohmann::json;

namespace {

using ParamBuildPtr = core::CHandle<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr = core::CHandle<OSSL_PARAM, OSSL_PARAM_free>;

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (const unsigned char c : bytes) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

BignumPtr bignum_from(const std::string& bytes) {
  return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()), nullptr));
}

// What an ACME server does with our JWK: rebuild the public key from its members alone.
EvpPkeyPtr public_key_from_jwk(const json& jwk) {
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  REQUIRE(build);
  // The builder keeps pointers to these until OSSL_PARAM_BLD_to_param copies them.
  std::string curve;
  std::string point;
  BignumPtr n, e;
  const bool rsa = jwk.at("kty") == "RSA";
  if (rsa) {
    n = bignum_from(base64url_decode(jwk.at("n").get<std::string>()));
    e = bignum_from(base64url_decode(jwk.at("e").get<std::string>()));
    REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) == 1);
    REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) == 1);
  } else {
    curve = jwk.at("crv") == "P-256" ? "prime256v1" : "secp384r1";
    point = "\x04" + base64url_decode(jwk.at("x").get<std::string>()) +
            base64url_decode(jwk.at("y").get<std::string>());
    REQUIRE(OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.c_str(),
                                            0) == 1);
    REQUIRE(OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                             point.size()) == 1);
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(build.get()));
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, rsa ? "RSA" : "EC", nullptr));
  REQUIRE(context);
  REQUIRE(EVP_PKEY_fromdata_init(context.get()) == 1);
  EVP_PKEY* key = nullptr;
  REQUIRE(EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) == 1);
  return EvpPkeyPtr(key);
}

// An independent JWS verifier (RFC 7515/7518) working from the JWK, not from our key object.
bool verify_with_jwk(const json& jwk, const std::string& alg, const std::string& input,
                     const std::string& signature) {
  EvpPkeyPtr key = public_key_from_jwk(jwk);
  std::string native_signature = signature;
  if (alg != "RS256") {
    const std::size_t half = signature.size() / 2;
    EcdsaSigPtr sig(ECDSA_SIG_new());
    REQUIRE(ECDSA_SIG_set0(sig.get(), bignum_from(signature.substr(0, half)).release(),
                           bignum_from(signature.substr(half)).release()) == 1);
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(sig.get(), &der);
    REQUIRE(length > 0);
    native_signature.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
  }
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  const EVP_MD* digest = alg == "ES384" ? EVP_sha384() : EVP_sha256();
  REQUIRE(EVP_DigestVerifyInit(context.get(), nullptr, digest, nullptr, key.get()) == 1);
  return EVP_DigestVerify(context.get(),
                          reinterpret_cast<const unsigned char*>(native_signature.data()),
                          native_signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

json decode_part(const json& jws, const char* member) {
  return json::parse(base64url_decode(jws.at(member).get<std::string>()));
}

std::string signing_input_of(const json& jws) {
  return jws.at("protected").get<std::string>() + "." + jws.at("payload").get<std::string>();
}

struct AlgorithmCase {
  KeyType type;
  const char* alg;
  std::size_t signature_size;
};

const AlgorithmCase kAlgorithmCases[] = {
    {KeyType::ec256, "ES256", 64},
    {KeyType::ec384, "ES384", 96},
    {KeyType::rsa2048, "RS256", 256},
    {KeyType::rsa4096, "RS256", 512},
};

}  // namespace

TEST_CASE("sha256 and hmac_sha256 match the FIPS 180-2 and RFC 4231 vectors") {
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 4231 test case 2.
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sha256("", "").size() == 32);
}

TEST_CASE("RFC 7638 section 3.1: the example RSA key has the published thumbprint") {
  const json jwk = {
      {"kty", "RSA"},
      {"n",
       "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
       "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
       "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
       "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
      {"e", "AQAB"},
      {"alg", "RS256"},
      {"kid", "2011-04-29"}};
  // "alg" and "kid" are not required members: they must not change the thumbprint.
  CHECK(jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST_CASE("a thumbprint needs kty and the required members") {
  CHECK_THROWS_AS(jwk_thumbprint(json{{"kty", "RSA"}, {"e", "AQAB"}}), Error);
  CHECK_THROWS_AS(jwk_thumbprint(json{{"n", "AQAB"}, {"e", "AQAB"}}), Error);
  CHECK_THROWS_AS(jwk_thumbprint(json{{"kty", "XYZ"}}), Error);
  CHECK_THROWS_AS(jwk_thumbprint(json::array()), Error);
}

TEST_CASE("an EC thumbprint hashes crv, kty, x, y in that order without whitespace") {
  const json jwk = public_jwk(shared_key(KeyType::ec256));
  const std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" +
                                jwk.at("x").get<std::string>() + R"(","y":")" +
                                jwk.at("y").get<std::string>() + R"("})";
  CHECK(jwk_thumbprint(shared_key(KeyType::ec256)) == base64url_encode(sha256(canonical)));
}

TEST_CASE("public JWKs carry exactly the public members") {
  const json ec = public_jwk(shared_key(KeyType::ec384));
  CHECK(ec.size() == 4);
  CHECK(ec.at("kty") == "EC");
  CHECK(ec.at("crv") == "P-384");
  CHECK(base64url_decode(ec.at("x").get<std::string>()).size() == 48);
  CHECK(base64url_decode(ec.at("y").get<std::string>()).size() == 48);

  const json rsa = public_jwk(shared_key(KeyType::rsa2048));
  CHECK(rsa.size() == 3);
  CHECK(rsa.at("kty") == "RSA");
  CHECK(rsa.at("e") == "AQAB");
  const std::string n = base64url_decode(rsa.at("n").get<std::string>());
  CHECK(n.size() == 256);
  CHECK(n.front() != '\0');  // minimal: no leading zero byte

  for (const KeyType type : acmecpp::test::kAllKeyTypes) {
    CAPTURE(to_string(type));
    const PrivateKey& key = shared_key(type);
    CHECK(EVP_PKEY_eq(public_key_from_jwk(public_jwk(key)).get(), key.native()) == 1);
  }
}

TEST_CASE("EC coordinates keep their leading zero bytes") {
  // About one P-256 key in 128 has an x or y below 2^248; find one and check it is padded.
  for (int attempt = 0; attempt < 5000; ++attempt) {
    const PrivateKey key = PrivateKey::generate(KeyType::ec256);
    const json jwk = public_jwk(key);
    const std::string x = base64url_decode(jwk.at("x").get<std::string>());
    const std::string y = base64url_decode(jwk.at("y").get<std::string>());
    REQUIRE(x.size() == 32);
    REQUIRE(y.size() == 32);
    if (x.front() != '\0' && y.front() != '\0') continue;
    CHECK(EVP_PKEY_eq(public_key_from_jwk(jwk).get(), key.native()) == 1);
    return;
  }
  FAIL("no P-256 key with a short coordinate in 5000 attempts");
}

TEST_CASE("sign and verify with RS256, ES256 and ES384") {
  for (const auto& c : kAlgorithmCases) {
    CAPTURE(c.alg);
    const PrivateKey& key = shared_key(c.type);
    CHECK(jws_algorithm(key) == c.alg);
    const std::string input = "eyJhbGciOiJFUzI1NiJ9.eyJ0ZXN0Ijp0cnVlfQ";
    const std::string signature = sign(key, input);
    CHECK(signature.size() == c.signature_size);
    CHECK(verify(key, input, signature));
    CHECK(verify_with_jwk(public_jwk(key), c.alg, input, signature));

    CHECK_FALSE(verify(key, input + "x", signature));
    std::string flipped = signature;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
    CHECK_FALSE(verify(key, input, flipped));
    CHECK_FALSE(verify(key, input, signature.substr(1)));
    CHECK_FALSE(verify(key, input, ""));
  }
  const std::string signature = sign(shared_key(KeyType::ec256), "data");
  CHECK_FALSE(verify(PrivateKey::generate(KeyType::ec256), "data", signature));
}

TEST_CASE("make_jws with a JWK header (newAccount, revokeCert by certificate key)") {
  const PrivateKey& key = shared_key(KeyType::ec256);
  const json jws = make_jws(key, "https://127.0.0.1/new-account", "nonce-1", std::nullopt,
                            R"({"termsOfServiceAgreed":true})");
  CHECK(jws.size() == 3);
  const json header = decode_part(jws, "protected");
  CHECK(header.at("alg") == "ES256");
  CHECK(header.at("nonce") == "nonce-1");
  CHECK(header.at("url") == "https://127.0.0.1/new-account");
  CHECK(header.at("jwk") == public_jwk(key));
  CHECK_FALSE(header.contains("kid"));
  CHECK(decode_part(jws, "payload") == json{{"termsOfServiceAgreed", true}});
  const std::string signature = base64url_decode(jws.at("signature").get<std::string>());
  CHECK(verify(key, signing_input_of(jws), signature));
  CHECK(verify_with_jwk(header.at("jwk"), "ES256", signing_input_of(jws), signature));
}

TEST_CASE("make_jws with a kid header, and POST-as-GET with an empty payload") {
  for (const auto& c : kAlgorithmCases) {
    CAPTURE(c.alg);
    const PrivateKey& key = shared_key(c.type);
    const json jws =
        make_jws(key, "https://127.0.0.1/order/1", "nonce-2", "https://127.0.0.1/acct/7", "");
    const json header = decode_part(jws, "protected");
    CHECK(header.at("alg") == c.alg);
    CHECK(header.at("kid") == "https://127.0.0.1/acct/7");
    CHECK_FALSE(header.contains("jwk"));
    CHECK(jws.at("payload") == "");
    const std::string signature = base64url_decode(jws.at("signature").get<std::string>());
    CHECK(signature.size() == c.signature_size);
    CHECK(verify(key, signing_input_of(jws), signature));
    CHECK(verify_with_jwk(public_jwk(key), c.alg, signing_input_of(jws), signature));
  }
}

TEST_CASE("make_eab is HS256 over the account JWK with the EAB kid and newAccount URL") {
  const std::string mac_key("\x01\x02\x03\x00\xff secret-mac-key", 20);
  const json account_jwk = public_jwk(shared_key(KeyType::ec256));
  const json eab = make_eab("kid-42", mac_key, account_jwk, "https://127.0.0.1/new-account");

  const json header = decode_part(eab, "protected");
  CHECK(header ==
        json{{"alg", "HS256"}, {"kid", "kid-42"}, {"url", "https://127.0.0.1/new-account"}});
  CHECK(decode_part(eab, "payload") == account_jwk);

  // Computed independently with OpenSSL's one-shot HMAC().
  const std::string input = signing_input_of(eab);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  REQUIRE(HMAC(EVP_sha256(), mac_key.data(), static_cast<int>(mac_key.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
               &mac_length) != nullptr);
  CHECK(base64url_decode(eab.at("signature").get<std::string>()) ==
        std::string(reinterpret_cast<char*>(mac), mac_length));
}
