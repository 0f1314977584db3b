#pragma once
// Where runs live: $FTSTUDIO_HOME when set (tests use it to stay isolated), else the XDG data folder.
#include <filesystem>
#include <string>

namespace fts {

std::filesystem::path studioHome();
// A new, empty folder for one run under home/runs, named by time and a random suffix.
std::filesystem::path createRunDir(const std::filesystem::path& home, std::string* runIdOut = nullptr);

}  // namespace fts
