#pragma once

#include <span>

#include "strava1/http/static_files.hpp"

namespace strava1::app {

/// The web app as web/dist was when this binary was built (without source maps), compiled in by
/// cmake/Strava1EmbedAssets.cmake; empty when web/dist had not been built then.
std::span<const http::EmbeddedFile> EmbeddedWebFiles();

/// docs/api/openapi.yaml as JSON, compiled in whatever state web/dist is in.
const http::EmbeddedFile& EmbeddedOpenApi();

}  // namespace strava1::app
