# A line chart as a standalone SVG, from the points the bench scripts append to
# BENCH_PLOT_DATA (callgrind.sh: plot_point), so the report needs nothing but awk:
#   awk -F '\t' -v plot=registry -v title=… -v xlabel=… -v ylabel=… [-v logx=1] \
#       -f bench/plot_svg.awk points.tsv > docs/perf-registry.svg
# Input lines: plot <TAB> series <TAB> x <TAB> y; only lines whose first field is `plot` are
# drawn, one line per series in order of first appearance. The y axis starts at 0.

function tx(x) { return left + (xv(x) - xmin) / (xmax - xmin) * (width - left - right) }
function ty(y) { return height - bottom - y / ymax * (height - top - bottom) }
function xv(x) { return logx ? log(x) / log(10) : x }
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); return s }
function num(v) { return v == int(v) ? sprintf("%d", v) : sprintf("%g", v) }

$1 == plot {
  if (!($2 in seen)) { seen[$2] = 1; order[++nseries] = $2 }
  n = ++count[$2]
  px[$2, n] = $3; py[$2, n] = $4
  if (!init || xv($3) < xmin) xmin = xv($3)
  if (!init || xv($3) > xmax) xmax = xv($3)
  if (!init || $4 > ytop) ytop = $4
  init = 1
}

END {
  if (!init) { print "plot_svg.awk: no points for plot " plot > "/dev/stderr"; exit 1 }
  width = 720; height = 420; left = 70; right = 170; top = 40; bottom = 55
  if (xmax == xmin) xmax = xmin + 1
  # A y step of 1, 2 or 5 times a power of ten, about five steps to the top.
  raw = ytop / 5; mag = 10 ^ int(log(raw) / log(10)); if (mag > raw) mag /= 10
  step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag
  ymax = step * (int(ytop / step) + 1)
  split("#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #7f7f7f", color, " ")

  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height
  printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
  printf "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", left, esc(title)
  for (y = 0; y <= ymax + step / 2; y += step) {
    printf "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, width - right, ty(y), ty(y)
    printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 6, ty(y) + 4, num(y)
  }
  # x ticks: every power of ten on a log axis, every distinct x otherwise.
  if (logx) {
    for (e = int(xmin); e <= xmax + 1e-9; e++) xt[++nxt] = 10 ^ e
  } else {
    for (s = 1; s <= nseries; s++) for (i = 1; i <= count[order[s]]; i++) {
      x = px[order[s], i]; if (!(x in xdone)) { xdone[x] = 1; xt[++nxt] = x }
    }
  }
  for (i = 1; i <= nxt; i++) {
    printf "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n", tx(xt[i]), tx(xt[i]), top, height - bottom
    printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", tx(xt[i]), height - bottom + 18, num(xt[i])
  }
  printf "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", left, width - right, height - bottom, height - bottom
  printf "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", left, left, top, height - bottom
  printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (left + width - right) / 2, height - 12, esc(xlabel)
  printf "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">%s</text>\n", (top + height - bottom) / 2, esc(ylabel)
  for (s = 1; s <= nseries; s++) {
    name = order[s]; c = color[(s - 1) % 8 + 1]; pts = ""
    for (i = 1; i <= count[name]; i++) pts = pts sprintf("%.1f,%.1f ", tx(px[name, i]), ty(py[name, i]))
    printf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>\n", c, pts
    for (i = 1; i <= count[name]; i++)
      printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %s at %s</title></circle>\n", tx(px[name, i]), ty(py[name, i]), c, esc(name), py[name, i], px[name, i]
    ly = top + 10 + (s - 1) * 20
    printf "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", width - right + 15, width - right + 40, ly, ly, c
    printf "<text x=\"%d\" y=\"%d\">%s</text>\n", width - right + 46, ly + 4, esc(name)
  }
  print "</svg>"
}
