#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "strava1/geo/geodesy.hpp"

/// Privacy masking: which samples of a track other users may see. Pure functions, thread-safe,
/// deterministic (same inputs, same outputs).
///
/// Two kinds of hidden area, both a `Disc`:
///  - privacy zones the athlete draws, used as they are;
///  - endpoint discs that hide where activities start and end. These are never centred on the
///    endpoint: a disc centred on home, whatever its radius, gives home away to a circle fit of the
///    first visible points of a few activities. An `Anchor` (one per athlete and place, created
///    once, kept server-side) displaces the centre by a secret offset shared by every activity
///    from that place, so a circle fit over many activities finds the displaced centre, not home
///    (a per-activity offset would average out); each activity's disc gets its own radius, large
///    enough that everything within R of any endpoint the anchor covers stays inside.
/// The discs alone do not defeat the centroid of many activities' visible ends: the caller's guard
/// does (features/activities/src/privacy_guard.hpp), widening an activity's discs or hiding its map
/// when an estimate over the public ends would land near home. docs/analytics.md "Privacy masking"
/// gives the caller's steps, the reasoning, the figures and the limits: read it before changing a
/// constant here.
namespace strava1::geo {

/// The hide radius R of the "hide start and end" setting: the default and the largest accepted.
/// R = 0 turns the setting off.
inline constexpr double kDefaultHideRadiusM = 200.0;
inline constexpr double kMaxHideRadiusM = 1'600.0;

/// The anchor's secret offset from home, as multiples of R: magnitude uniform in this range.
/// A circle fit of the visible ends finds the disc centre, so the minimum keeps that beyond R from
/// home with a margin (over 200 simulated athletes it never came nearer home than 1.37 R); the
/// width of the range is what an observer who found the centre still does not know. No larger:
/// the disc radius grows with the offset, and the centroid of the visible ends, which no
/// affordable offset keeps from home, is the caller's guard's job.
inline constexpr double kAnchorOffsetMinR = 1.5;
inline constexpr double kAnchorOffsetMaxR = 2.0;

/// "No position" in lat_e7/lng_e7. The same value as formats::kNoPosition; repeated here because
/// geo sits below formats and may not include it.
inline constexpr std::int32_t kNoPositionE7 = std::numeric_limits<std::int32_t>::min();

/// A hidden area: every sample whose position lies inside it (boundary included) is hidden.
/// A radius of zero or less hides nothing.
struct Disc {
    LatLng centre;
    double radius_m = 0;
};

/// Relative widening of every disc in VisibleMask's inside test: 1 m at 10 km, six times the
/// worst error of the fast test.
inline constexpr double kInsideSlack = 1e-4;

/// The secret behind one athlete's endpoint discs around one place. Created by NewAnchor, stored
/// server-side with the place, never sent to anyone (the owner included: the owner sees the
/// unmasked track and needs no anchor). Offsets are metres on the plane tangent at `home`.
struct Anchor {
    LatLng home;
    double offset_north_m = 0;
    double offset_east_m = 0;
};

/// Which end of an activity a disc hides.
enum class Endpoint : std::uint8_t { kStart = 0, kEnd = 1 };

/// A new anchor at `home` for hide radius R (clamped to [0, kMaxHideRadiusM]; NaN counts as 0).
/// `random` must be a fresh secret 64-bit random value (a CSPRNG's output, not a hash of the user
/// or place): it is the only secret. Its bits, through splitmix64, choose the direction
/// (uniform) and the magnitude (uniform in [kAnchorOffsetMinR·R, kAnchorOffsetMaxR·R]).
Anchor NewAnchor(LatLng home, double hide_radius_m, std::uint64_t random) noexcept;

/// Whether an activity endpoint at `point` should reuse `anchor`: it lies within R of the anchor's
/// home. The caller looks for a covering anchor among the athlete's anchors (the nearest home when
/// several cover) and creates one at the endpoint only when none does. Reuse matters: each anchor
/// tells a patient observer that home lies on an annulus around its disc centre, and two anchors
/// for one place would intersect their annuli. For the same reason anchors are kept when the
/// athlete changes R. False when R is 0.
bool AnchorCovers(const Anchor& anchor, LatLng point, double hide_radius_m) noexcept;

/// The disc hiding one endpoint of one activity: centred at home + offset, radius
/// |offset| + R·(2 + u) with u in [0, 1) from splitmix64 of (activity_seed, endpoint).
/// Guarantees, for every seed: every point within 2R of home is inside, so every point within R of
/// any endpoint the anchor covers is inside. The 2 is the least that does: an endpoint R from home
/// on the side away from the centre has points R beyond it, |offset| + 2R from the centre (with
/// 1 + u, a point u·R beyond such an endpoint would show). R is clamped as in NewAnchor; it may
/// differ from the anchor's (the guarantee holds for any R; the offset keeps the scale it was made
/// with).
/// `activity_seed` is a secret random value stored with the activity, so the disc is the same every
/// time the activity is served: two discs for one endpoint tell an observer more than one.
/// R = 0 gives a disc of radius 0. Both discs of an activity go to VisibleMask, which hides their
/// union along the whole track (passing home mid-activity is hidden too).
Disc EndpointDisc(const Anchor& anchor, double hide_radius_m, std::uint64_t activity_seed, Endpoint endpoint) noexcept;

/// Per sample, 1 when other users may see it, 0 when hidden. The result has lat_e7.size() entries;
/// precondition: lat_e7 and lng_e7 have the same size (extra lng_e7 entries are ignored).
///
/// A sample has a position unless a coordinate is kNoPositionE7, the latitude is outside ±90°,
/// or it is exactly (0°, 0°) (receivers write that before a fix; analytics treats it as missing).
/// Rules, in order:
///  1. a positioned sample is hidden when it lies inside any disc;
///  2. a sample without a position is hidden when the nearest positioned sample before it or the
///     nearest after it is hidden (a gap next to a hidden area would otherwise expose samples whose
///     distance, interpolated between its neighbours, falls inside that area);
///  3. every sample before the first visible positioned sample and after the last one is hidden,
///     so time, altitude and heart rate recorded at home before the first fix are not exposed.
/// Discs of radius ≤ 0 are ignored; with none left, or no positioned sample at all (an indoor
/// activity reveals no place), every sample is visible. When every positioned sample is hidden,
/// every sample is hidden.
///
/// The inside test, for discs up to 20 km centred within 80° of the equator (every endpoint disc;
/// ordinary zones): a bounding-box prefilter in E7 units, then the distance on the plane tangent at
/// the centre with the radii of curvature and the cosine at the mean latitude taken to first order.
/// Its relative error against Vincenty is below 4e-8 up to 1 km, 4e-6 up to 10 km and 1.5e-5 up
/// to 20 km; every radius is widened by kInsideSlack so the error can only hide more, never less
/// (privacy_test.cpp checks decisions against Vincenty). Other discs use Vincenty per point.
/// Cost: about 1 ns per sample and disc, 0.3 ms for 100k samples and 3 discs; allocates the result
/// and n bytes of scratch.
std::vector<std::uint8_t> VisibleMask(std::span<const std::int32_t> lat_e7, std::span<const std::int32_t> lng_e7,
                                      std::span<const Disc> discs);

}  // namespace strava1::geo
