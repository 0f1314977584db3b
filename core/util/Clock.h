#pragma once
// Monotonic wall-clock seconds, for rates, ETAs and metric time stamps.
namespace fts {
double monotonicSeconds();
}
