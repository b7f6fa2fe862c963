#!/usr/bin/env bash
# Sets up what the tests need, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Use the real MNIST files next to the repository when they are there (CI's shared/).
if [ -z "${SCRATCHNET_DATA:-}" ] && [ -d ../shared/data/mnist ]; then
  export SCRATCHNET_DATA="$(cd ../shared/data/mnist && pwd)"
fi
swift test
# Training steps allocate nothing: a property of optimised code, checked by a release build
# (Sources/scratchnet-allocation-check says why it is not an XCTest case).
swift run -c release scratchnet-allocation-check
