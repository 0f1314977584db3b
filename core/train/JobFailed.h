#pragma once
// A run that cannot go on for a reason the user can act on; the message says what to change.
#include <stdexcept>

namespace fts {

class JobFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace fts
