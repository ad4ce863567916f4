#include "support/unique_fd.hpp"

#include <unistd.h>

namespace acmecpp::testing {

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace acmecpp::testing
