#pragma once

// Who follows whom and who blocked whom, as the privacy function needs it: the platform's relation
// contract (libs/app relations.hpp, ADR 0020), implemented by the social feature.

#include "strava1/app/relations.hpp"

namespace strava1::activities {

using FollowGraph = app::Relations;
/// Nobody follows or blocks anybody (and nothing is queried): a followers-only activity is its owner's alone.
using NobodyFollows = app::NoRelations;

}  // namespace strava1::activities
