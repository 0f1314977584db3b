#pragma once
// Where runs live: $FTSTUDIO_HOME when set (tests use it to stay isolated), else the XDG data folder.
#include <filesystem>
#include <string>

namespace fts {

std::filesystem::path studioHome();
// A new, empty folder for one run under studioHome()/runs, named by time and a random suffix.
std::filesystem::path createRunDir(std::string* runIdOut = nullptr);

}  // namespace fts
