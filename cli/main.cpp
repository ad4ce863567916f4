// acmectl: placeholder entry point until the CLI lands.
#include <iostream>

#include "acmecpp/version.hpp"

int main() {
  std::cout << "acmectl " << acmecpp::version() << "\n";
  return 0;
}
