// Anchors the shared Asio precompiled header in a target of its own.
