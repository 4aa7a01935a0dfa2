#pragma once

// The one rule for points without a time (docs/formats.md, "Points without a time"), applied by
// every importer as its last step so GPX, TCX and FIT agree.

#include "strava1/formats/activity.hpp"

namespace strava1::formats {

/// An activity keeps only its timed points (lap indexes follow them). An activity none of whose
/// points has a time is a recorded activity only when the device's own totals date and time it (a
/// FIT session or TCX laps with a start and a duration, or pool lengths); otherwise it is a path
/// without a recording and moves, untouched, to `file.routes`.
void KeepTimedPoints(ImportedFile& file);

}  // namespace strava1::formats
