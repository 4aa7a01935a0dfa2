// `strava1 inspect FILE...`: what an upload of each file would yield, or why it would be refused,
// without touching the database. For users checking a file, and for `make bench` (--repeat).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strava1/base/clock.hpp"
#include "strava1/base/json_writer.hpp"
#include "strava1/formats/parse.hpp"

namespace strava1::app {
namespace {

constexpr const char* kInspectUsage =
    "usage: strava1 inspect [--type=gpx|tcx|fit|gpx.gz|tcx.gz|fit.gz] [--repeat=N] FILE...\n"
    "Parses each file as an upload would and prints one JSON line per file: the activities, routes\n"
    "and waypoints it holds, or the reason it is refused. --repeat parses N times and reports the\n"
    "fastest parse (the file is read once).\n";

std::string TimeText(std::int64_t ms) {
    if (ms == formats::kNoTime) {
        return "";
    }
    return FormatRfc3339(SystemTime{std::chrono::milliseconds(ms)}, true);
}

/// The bytes of a file: mapped read-only when it is a non-empty regular file (no zero-fill and no
/// copy of what may be tens of megabytes), else read into a string. `ok` is false when it cannot be
/// read.
class FileBytes {
public:
    explicit FileBytes(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            struct stat st {};
            if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
                void* mapped = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE,
                                      fd, 0);
                if (mapped != MAP_FAILED) {
                    mapped_ = mapped;
                    size_ = static_cast<std::size_t>(st.st_size);
                    ::madvise(mapped_, size_, MADV_SEQUENTIAL);
                    ok_ = true;
                }
            }
            ::close(fd);
        }
        if (mapped_ == nullptr) {
            std::ifstream in(path, std::ios::binary | std::ios::ate);
            if (in) {
                fallback_.resize(static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg())));
                in.seekg(0);
                in.read(fallback_.data(), static_cast<std::streamsize>(fallback_.size()));
            }
            ok_ = static_cast<bool>(in);
        }
    }
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;
    ~FileBytes() {
        if (mapped_ != nullptr) {
            ::munmap(mapped_, size_);
        }
    }

    bool Ok() const noexcept { return ok_; }
    std::string_view View() const noexcept {
        return mapped_ != nullptr ? std::string_view(static_cast<const char*>(mapped_), size_) : std::string_view(fallback_);
    }

private:
    void* mapped_ = nullptr;
    std::size_t size_ = 0;
    std::string fallback_;
    bool ok_ = false;
};

template <class T, class Missing>
std::size_t Present(const std::vector<T>& column, Missing is_missing) {
    return static_cast<std::size_t>(std::count_if(column.begin(), column.end(), [&](const T& v) { return !is_missing(v); }));
}

void WriteActivity(json::Writer& w, const formats::Activity& activity) {
    const formats::Track& t = activity.track;
    w.BeginObject();
    w.Key("sport").String(formats::SportName(activity.sport));
    w.Key("name").String(activity.name);
    w.Key("start").String(TimeText(activity.start_time_ms));
    w.Key("points").Int(static_cast<std::int64_t>(t.size()));
    w.Key("with_time").Int(static_cast<std::int64_t>(Present(t.time_ms, [](std::int64_t v) { return v == formats::kNoTime; })));
    w.Key("with_position").Int(static_cast<std::int64_t>(Present(t.lat_e7, [](std::int32_t v) { return v == formats::kNoPosition; })));
    w.Key("with_altitude").Int(static_cast<std::int64_t>(Present(t.altitude_m, [](float v) { return formats::IsMissing(v); })));
    w.Key("with_heart_rate").Int(static_cast<std::int64_t>(Present(t.heart_rate_bpm, [](std::uint16_t v) { return v == formats::kNoValue16; })));
    w.Key("with_cadence").Int(static_cast<std::int64_t>(Present(t.cadence_rpm, [](std::uint16_t v) { return v == formats::kNoValue16; })));
    w.Key("with_power").Int(static_cast<std::int64_t>(Present(t.power_w, [](std::uint16_t v) { return v == formats::kNoValue16; })));
    w.Key("laps").Int(static_cast<std::int64_t>(activity.laps.size()));
    w.Key("lengths").Int(static_cast<std::int64_t>(activity.lengths.size()));
    w.Key("device_distance_m");
    activity.device_summary.distance_m ? w.Double(*activity.device_summary.distance_m) : w.Null();
    w.Key("device_elapsed_s");
    activity.device_summary.elapsed_s ? w.Double(*activity.device_summary.elapsed_s) : w.Null();
    w.EndObject();
}

}  // namespace

int Inspect(const std::vector<std::string>& args) {
    std::optional<formats::DataType> forced;
    int repeat = 1;
    std::vector<std::string> files;
    for (const auto& arg : args) {
        if (arg.starts_with("--type=")) {
            forced = formats::ParseDataType(arg.substr(7));
            if (!forced) {
                std::fprintf(stderr, "strava1 inspect: --type: must be one of gpx, tcx, fit, gpx.gz, tcx.gz, fit.gz\n");
                return 2;
            }
        } else if (arg.starts_with("--repeat=")) {
            try {
                repeat = std::stoi(arg.substr(9));
            } catch (const std::exception&) {
                repeat = 0;
            }
            if (repeat < 1 || repeat > 1000) {
                std::fprintf(stderr, "strava1 inspect: --repeat: must be an integer in 1..1000\n");
                return 2;
            }
        } else if (arg == "--help" || arg == "-h") {
            std::fputs(kInspectUsage, stdout);
            return 0;
        } else if (arg.starts_with("--")) {
            std::fprintf(stderr, "strava1 inspect: unknown option %s\n\n%s", arg.c_str(), kInspectUsage);
            return 2;
        } else {
            files.push_back(arg);
        }
    }
    if (files.empty()) {
        std::fputs(kInspectUsage, stderr);
        return 2;
    }
    int status = 0;
    for (const auto& file : files) {
        std::string out;
        json::Writer w(out);
        w.BeginObject().Key("file").String(file);
        const FileBytes file_bytes(file);
        const std::string_view bytes = file_bytes.View();
        auto type = forced ? forced : formats::SniffDataType(bytes);
        if (!file_bytes.Ok()) {
            w.Key("error").String("cannot read the file");
            status = 1;
        } else if (!type) {
            w.Key("error").String("not a GPX, TCX or FIT file (or their .gz)");
            status = 1;
        } else {
            w.Key("type").String(formats::DataTypeName(*type));
            w.Key("bytes").Int(static_cast<std::int64_t>(bytes.size()));
            double best_ms = 0;
            std::optional<formats::Result<formats::ImportedFile>> result;
            for (int round = 0; round < repeat; ++round) {
                // The previous round's result goes first, so a repeat never holds two (the bench reads
                // this process's peak memory).
                result.reset();
                auto started = std::chrono::steady_clock::now();
                result.emplace(formats::Parse(bytes, *type));
                double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
                best_ms = round == 0 ? ms : std::min(best_ms, ms);
            }
            w.Key("parse_ms").Double(best_ms);
            if (!result->ok()) {
                w.Key("error").String(result->error().Describe());
                status = 1;
            } else {
                const auto& imported = result->value();
                w.Key("creator").String(imported.creator.name);
                w.Key("activities").BeginArray();
                for (const auto& activity : imported.activities) {
                    WriteActivity(w, activity);
                }
                w.EndArray();
                w.Key("routes").Int(static_cast<std::int64_t>(imported.routes.size()));
                w.Key("waypoints").Int(static_cast<std::int64_t>(imported.waypoints.size()));
            }
        }
        w.EndObject();
        std::printf("%s\n", out.c_str());
    }
    return status;
}

}  // namespace strava1::app
