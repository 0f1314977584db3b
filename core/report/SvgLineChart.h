#pragma once
// A line chart as an SVG document (a plain text file any browser or image viewer opens): the curves
// of a run for reports and the README, written without a GUI. Torch-free, Qt-free.
#include <string>
#include <utility>
#include <vector>

namespace fts {

struct ChartSeries {
  std::string name;                               // legend entry
  std::vector<std::pair<double, double>> points;  // (x, y), in x order
  std::string color;                              // CSS colour; empty: from a palette
  bool markers = false;                           // dots at each point (for sparse series)
};

struct ChartOptions {
  std::string title;
  std::string xLabel, yLabel;
  bool logY = false;       // logarithmic y axis (every y must be > 0)
  int width = 900, height = 500;
};

// Throws std::invalid_argument when there is nothing to draw or logY meets a value <= 0.
std::string renderSvgLineChart(const std::vector<ChartSeries>& series, const ChartOptions& options);

// "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `target` of them.
std::vector<double> niceTicks(double lo, double hi, int target);

}  // namespace fts
