# Warnings as errors on our own code only (third-party headers come in as system includes).
function(strava1_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Werror
        -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
        -Wno-missing-field-initializers
        # GCC 12 false positive on Asio coroutine frames (aligned_new vs the frame's operator delete).
        -Wno-mismatched-new-delete)
endfunction()
