#include "core/report/SvgLineChart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace fts {
namespace {

const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string escapeXml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string formatTick(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a != 0 && (a >= 1e6 || a < 1e-3)) std::snprintf(buf, sizeof buf, "%.0e", v);
  else if (a >= 1000) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::vector<double> niceTicks(double lo, double hi, int target) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  // Each tick as k * step rounded to the step's decimals, so 3 x 0.01 is 0.03, not 0.030000000000000002.
  const double scale = std::pow(10.0, std::max(0.0, -std::floor(std::log10(step))));
  std::vector<double> out;
  for (double k = std::ceil(lo / step); k * step <= hi + step * 1e-9; k += 1) out.push_back(std::round(k * step * scale) / scale + 0.0);
  return out;
}

std::string renderSvgLineChart(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      if (o.logY && y <= 0) throw std::invalid_argument("a logarithmic axis needs values above 0; '" + s.name + "' has " + formatTick(y));
      xmin = std::min(xmin, x), xmax = std::max(xmax, x);
      ymin = std::min(ymin, y), ymax = std::max(ymax, y);
    }
  if (!std::isfinite(xmin)) throw std::invalid_argument("nothing to plot: every series is empty");
  if (xmax == xmin) xmax = xmin + 1;
  auto ty = [&](double y) { return o.logY ? std::log10(y) : y; };
  double lo = ty(ymin), hi = ty(ymax);
  if (hi == lo) hi = lo + 1;
  const double pad = 0.05 * (hi - lo);
  lo -= pad, hi += pad;

  const double left = 80, right = 30, top = o.title.empty() ? 20 : 50, bottom = 60;
  const double pw = o.width - left - right, ph = o.height - top - bottom;
  auto px = [&](double x) { return left + (x - xmin) / (xmax - xmin) * pw; };
  auto py = [&](double y) { return top + (1 - (ty(y) - lo) / (hi - lo)) * ph; };

  std::ostringstream svg;
  svg.setf(std::ios::fixed);
  svg.precision(1);
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << o.width << "\" height=\"" << o.height << "\" viewBox=\"0 0 " << o.width
      << ' ' << o.height << "\" font-family=\"DejaVu Sans, Noto Sans CJK SC, sans-serif\" font-size=\"13\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!o.title.empty())
    svg << "<text x=\"" << o.width / 2.0 << "\" y=\"30\" text-anchor=\"middle\" font-size=\"17\">" << escapeXml(o.title) << "</text>\n";
  // Grid and ticks.
  for (double t : niceTicks(xmin, xmax, 8)) {
    svg << "<line x1=\"" << px(t) << "\" y1=\"" << top << "\" x2=\"" << px(t) << "\" y2=\"" << top + ph << "\" stroke=\"#e5e5e5\"/>\n";
    svg << "<text x=\"" << px(t) << "\" y=\"" << top + ph + 18 << "\" text-anchor=\"middle\">" << formatTick(t) << "</text>\n";
  }
  std::vector<double> yticks;
  if (o.logY) {
    for (double e = std::floor(lo); e <= std::ceil(hi); e += 1)
      for (double m : {1.0, 2.0, 5.0})
        if (const double v = m * std::pow(10.0, e); std::log10(v) >= lo && std::log10(v) <= hi) yticks.push_back(v);
  } else {
    yticks = niceTicks(lo, hi, 6);
  }
  for (double t : yticks) {
    svg << "<line x1=\"" << left << "\" y1=\"" << py(t) << "\" x2=\"" << left + pw << "\" y2=\"" << py(t) << "\" stroke=\"#e5e5e5\"/>\n";
    svg << "<text x=\"" << left - 8 << "\" y=\"" << py(t) + 4 << "\" text-anchor=\"end\">" << formatTick(t) << "</text>\n";
  }
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph << "\" fill=\"none\" stroke=\"#444\"/>\n";
  svg << "<text x=\"" << left + pw / 2 << "\" y=\"" << o.height - 15 << "\" text-anchor=\"middle\">" << escapeXml(o.xLabel) << "</text>\n";
  svg << "<text transform=\"translate(20," << top + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << escapeXml(o.yLabel)
      << (o.logY ? " (log)" : "") << "</text>\n";
  // Curves, then the legend over them in the top right corner (where falling loss curves leave
  // room), its box sized to its text.
  std::size_t longest = 0;
  for (const auto& s : series) longest = std::max(longest, s.name.size());
  const double legendWidth = 45 + 7.5 * static_cast<double>(longest);
  const double legendX = left + pw - legendWidth - 8;
  std::ostringstream legend;
  legend.setf(std::ios::fixed);
  legend.precision(1);
  legend << "<rect x=\"" << legendX << "\" y=\"" << top + 6 << "\" width=\"" << legendWidth << "\" height=\""
         << 20.0 * static_cast<double>(series.size()) + 8 << "\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#ccc\"/>\n";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    const std::string color = s.color.empty() ? kPalette[i % (sizeof kPalette / sizeof *kPalette)] : s.color;
    std::ostringstream path;
    path.setf(std::ios::fixed);
    path.precision(1);
    bool first = true;
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      path << (first ? "M" : " L") << px(x) << ',' << py(y);
      first = false;
      if (s.markers) svg << "<circle cx=\"" << px(x) << "\" cy=\"" << py(y) << "\" r=\"3\" fill=\"" << color << "\"/>\n";
    }
    if (!first) svg << "<path d=\"" << path.str() << "\" fill=\"none\" stroke=\"" << color << "\" stroke-width=\"1.6\"/>\n";
    const double ly = top + 24 + 20.0 * static_cast<double>(i);
    legend << "<line x1=\"" << legendX + 8 << "\" y1=\"" << ly - 4 << "\" x2=\"" << legendX + 33 << "\" y2=\"" << ly - 4
           << "\" stroke=\"" << color << "\" stroke-width=\"3\"/>\n";
    legend << "<text x=\"" << legendX + 40 << "\" y=\"" << ly << "\">" << escapeXml(s.name) << "</text>\n";
  }
  svg << legend.str();
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace fts
