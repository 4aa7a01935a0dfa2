#pragma once

// The JSON the activities routes answer (docs/api/openapi.yaml), written from what the service
// returns. Every rendering of an activity takes the viewer's View (the privacy function's decision)
// and, for another viewer not shown every sample, the figures they are shown instead.

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "service.hpp"
#include "strava1/base/json_writer.hpp"

namespace strava1::activities {

/// What a rendering shows of the activity's owner (accounts' profile facts) and its local day.
struct OwnerShown {
    const accounts::ProfileFacts* owner = nullptr;
    std::string_view start_date;  ///< the start's calendar day in the owner's time zone
};

/// The members every rendering of an activity has (list rows, detail, the reader's summaries).
/// `shown`: the figures the viewer is shown instead of the stored ones (a figure it lacks is the
/// stored one).
void WriteSummaryMembers(json::Writer& w, const ActivityRow& a, const View& view, const boost::json::object* shown,
                         OwnerShown who);
/// GET /v1/activities/{id}: the summary and the detail members (the load brought the polyline).
std::string DetailJson(const ActivityDetail& detail);
/// {"activities": [...], "next_cursor": ...}.
std::string ListJson(const ActivityPage& page);
/// An upload (a row of kUploadColumns).
std::string UploadJson(const db::Result& upload);
UploadStatus StatusOf(const db::Result& upload);
/// {"laps": …} / {"splits_km": …, "splits_mile": …} / {"heart_rate": …, "power": …}, with what the
/// viewer may not see nulled or left out.
std::string LapsJson(const AnalysisParts& parts);
std::string SplitsJson(const AnalysisParts& parts);
std::string ZonesJson(const AnalysisParts& parts);
/// {"power":[{"duration_s","value"}…],"heart_rate":[…],"speed":[…]}: the mean-max curves, each
/// empty when the viewer may not see its metric (speed goes with pace).
std::string CurvesJson(const AnalysisParts& parts);
/// A pool swim's lengths (empty for anything else), from the whole stored analysis.
std::string LengthsJson(const View& view, boost::json::object& analysis);
std::string BestEffortsJson(const std::vector<EffortShown>& efforts);
std::string RecordsJson(const std::vector<RecordRow>& records);
std::string StatsJson(const std::vector<StatsRow>& stats);
boost::json::object ZoneJson(const PrivacyZone& zone);
std::string ZoneListJson(const std::vector<PrivacyZone>& zones);

}  // namespace strava1::activities
