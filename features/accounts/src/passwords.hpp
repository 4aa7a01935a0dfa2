#pragma once

#include <string>
#include <string_view>

namespace strava1::accounts {

/// argon2id cost. kInteractive is libsodium's interactive profile (64 MiB, 2 passes) and the
/// production default; kFast (8 KiB, 1 pass) exists only so sanitizer test runs stay quick.
enum class HashCost { kInteractive, kFast };

/// argon2id hash in the PHC string format ("$argon2id$v=19$m=…"). CPU-heavy: call off the I/O threads.
std::string HashPassword(std::string_view password, HashCost cost);
/// Constant-time verification against a stored PHC string (any cost it was made with).
bool VerifyPassword(std::string_view password, const std::string& stored_hash);

}  // namespace strava1::accounts
