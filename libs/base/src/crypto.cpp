#include "strava1/base/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace strava1::crypto {
namespace {

constexpr std::string_view kUrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Encode(std::string_view bytes, std::string_view alphabet, bool pad) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t byte_idx = 0;
    auto u = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
    for (; byte_idx + 2 < bytes.size(); byte_idx += 3) {
        std::uint32_t n = (u(byte_idx) << 16) | (u(byte_idx + 1) << 8) | u(byte_idx + 2);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    std::size_t rest = bytes.size() - byte_idx;
    if (rest == 1) {
        std::uint32_t n = u(byte_idx) << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        if (pad) {
            out += "==";
        }
    } else if (rest == 2) {
        std::uint32_t n = (u(byte_idx) << 16) | (u(byte_idx + 1) << 8);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        if (pad) {
            out += '=';
        }
    }
    return out;
}

std::optional<std::string> Decode(std::string_view text, std::string_view alphabet, bool padded) {
    if (padded) {
        if (text.size() % 4 != 0) {
            return std::nullopt;
        }
        std::size_t pads = 0;
        while (pads < 2 && pads < text.size() && text[text.size() - 1 - pads] == '=') {
            ++pads;
        }
        text.remove_suffix(pads);
    }
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::array<int, 256> table{};
    table.fill(-1);
    for (std::size_t char_idx = 0; char_idx < alphabet.size(); ++char_idx) {
        table[static_cast<unsigned char>(alphabet[char_idx])] = static_cast<int>(char_idx);
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = table[static_cast<unsigned char>(c)];
        if (v < 0) {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    // Non-canonical encodings (stray low bits) are rejected so one value has one encoding.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        return std::nullopt;
    }
    return out;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kUrlAlphabet, false); }
std::optional<std::string> Base64UrlDecode(std::string_view text) { return Decode(text, kUrlAlphabet, false); }
std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kStdAlphabet, true); }
std::optional<std::string> Base64Decode(std::string_view text) { return Decode(text, kStdAlphabet, true); }

std::string Sha256(std::string_view data) {
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

std::string Hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        out += kDigits[(static_cast<unsigned char>(c) >> 4) & 0xF];
        out += kDigits[static_cast<unsigned char>(c) & 0xF];
    }
    return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    out.resize(len);
    return out;
}

std::string RandomBytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace strava1::crypto
