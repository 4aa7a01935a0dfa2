# Warnings as errors on our own code only (third-party headers come in as system includes).
function(strava1_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Werror
        -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
        -Wno-missing-field-initializers
        # GCC 12 false positive on Asio coroutine frames (aligned_new vs the frame's operator delete).
        -Wno-mismatched-new-delete
        # GCC 12 at -O3 reports impossible std::string copies (bugs 105329, 105651) in optimised
        # inlined code; the debug/sanitizer build keeps these warnings on.
        $<$<CONFIG:Release>:-Wno-stringop-overflow -Wno-restrict -Wno-array-bounds>)
endfunction()
