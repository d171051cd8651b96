# Sourced by generate.sh and windows.sh: the steps both take to trace a linked binary.

# fntrace_build DIR: compiles fntrace.c into DIR/fntrace.
fntrace_build() { cc -O2 -Wall -o "$1/fntrace" scripts/link-order/fntrace.c; }

# entries BINARY MAPFILE: every address fntrace should break on: each function symbol, and
# each input section's start in .text (the compiler's unnamed helpers have a section but no
# symbol).
entries() {
  nm --defined-only "$1" | awk '$2 ~ /^[tTwW]$/ {print $1}'
  python3 -c 'import sys; sys.path.insert(0, "scripts/link-order"); import order
for s in order.input_sections(sys.argv[1]): print(f"{s[0]:x}")' "$2"
}
