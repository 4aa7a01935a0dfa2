// The activities module: builds its parts from the composition root's Deps and registers its routes
// and background tasks.
#include "strava1/activities/module.hpp"

#include "reader.hpp"
#include "repository.hpp"
#include "responses.hpp"
#include "routes.hpp"
#include "service.hpp"
#include "strava1/accounts/module.hpp"
#include "strava1/base/log.hpp"

namespace strava1::activities {
namespace asio = boost::asio;

namespace {

/// The object route serves an original while an upload names it.
class OriginalReferencesOf final : public storage::ObjectReferences {
public:
    explicit OriginalReferencesOf(Repository& repository) : repository_(repository) {}
    asio::awaitable<bool> IsReferenced(std::string key) override {
        return repository_.OriginalReferenced(std::move(key));
    }

private:
    Repository& repository_;
};

asio::awaitable<void> ResumeAndReport(Service* service) {
    if (int enqueued = co_await service->ResumePendingUploads(); enqueued > 0) {
        log::Info("unfinished uploads of an older version queued to resume", {{"count", enqueued}});
    }
}

asio::awaitable<void> ResumeUpload(Service* service, jobs::JobContext job) {
    std::int64_t upload_id = 0;
    try {
        upload_id = job.payload.as_object().at("upload_id").to_number<std::int64_t>();
    } catch (const std::exception& e) {
        throw jobs::PermanentError(std::string("no upload_id in the payload: ") + e.what());
    }
    co_await service->ResumeUpload(upload_id);
}

asio::awaitable<void> PurgeAndReport(Service* service) {
    if (int removed = co_await service->PurgeDeletedOriginals(); removed > 0) {
        log::Info("deleted originals removed from storage", {{"count", removed}});
    }
}

}  // namespace

/// Moderation's side door: the service's own statements.
class ServiceModeration final : public ActivityModeration {
public:
    explicit ServiceModeration(Service& service) : service_(service) {}
    asio::awaitable<bool> Hide(std::int64_t activity_id) override { return service_.HideByModeration(activity_id); }

private:
    Service& service_;
};

struct Module::Impl {
    Impl(Deps deps, Options options)
        : repository(deps.pool),
          follows(deps.follows != nullptr ? *deps.follows : nobody_follows),
          service(deps, options, repository, follows),
          routes(service),
          reader(service, repository, deps.profiles),
          originals(repository),
          moderation(service) {}

    Repository repository;
    NobodyFollows nobody_follows;
    FollowGraph& follows;
    Service service;
    Routes routes;
    VisibleReader reader;
    OriginalReferencesOf originals;
    ServiceModeration moderation;
};

Module::Module(Deps deps, Options options) : impl_(std::make_unique<Impl>(deps, options)) {}
Module::~Module() = default;

ActivityReader& Module::Reader() { return impl_->reader; }
ActivityModeration& Module::Moderation() { return impl_->moderation; }

storage::ObjectReferences& Module::OriginalReferences() { return impl_->originals; }

void Module::Register(app::Registry& registry) {
    impl_->routes.Register(registry);
    Service* service = &impl_->service;
    jobs::Registry& jobs = registry.Jobs();
    jobs::KindOptions resume;
    resume.max_attempts = 5;
    jobs.Handle(
        kResumeUploadKind, [service](jobs::JobContext job) { return ResumeUpload(service, std::move(job)); }, resume);
    jobs.Handle(kDeleteOriginalsKind, [service](jobs::JobContext) { return PurgeAndReport(service); });
    // Rows of a deleted account went with it (ON DELETE CASCADE), and the trigger on uploads queued
    // their originals in the same transaction: the relay removes the files.
    jobs.Subscribe(accounts::kUserDeleted, "activities",
                   [service](jobs::ReceivedEvent) { return PurgeAndReport(service); });
    // A safety net for what a relay left (a failed file deletion, a crash between commit and run).
    jobs.Recurring(jobs::Schedule{.name = kDeleteOriginalsKind, .cron = "*/10 * * * *", .kind = kDeleteOriginalsKind});
    // For uploads left "processing" by versions before the resume job.
    registry.AtStart("activities.resume-uploads", [service] { return ResumeAndReport(service); });
}

asio::awaitable<UploadStatus> Module::ImportAndWait(std::int64_t owner_id, std::string bytes, UploadFields fields) {
    const std::int64_t id = co_await impl_->service.AcceptUpload(owner_id, bytes, std::move(fields));
    db::Result upload = co_await impl_->service.Upload(owner_id, id);
    co_return StatusOf(upload);
}

asio::awaitable<int> Module::ResumePendingUploads() { return impl_->service.ResumePendingUploads(); }

asio::awaitable<int> Module::PurgeDeletedOriginals() { return impl_->service.PurgeDeletedOriginals(); }

}  // namespace strava1::activities
