/* cnnrt_main: the command-line driver linked into every generated model
 * executable. It reads inputs from .npy files (or fills random data for
 * --bench), runs the model, and writes outputs to .npy files or stdout.
 *
 * Exit status: 0 success; 1 the model's run failed, out of memory or a broken
 * model description; 2 bad command line or a bad input/output file. */
#define _POSIX_C_SOURCE 200809L

#include "cnnrt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* Tensors above this many elements are summarized instead of printed. */
#define PRINT_LIMIT 1000
#define SUMMARY_HEAD 8
/* Bounds the latency array (8 bytes per run). */
#define MAX_BENCH_RUNS 10000000L

typedef struct {
  const cnnrt_model *model;
  const char *prog;
  const char **input_files;  /* per model input; NULL when not given */
  const char **output_files; /* per model output; NULL prints to stdout */
  long bench;                /* timed runs; 0 without --bench */
  uint64_t seed;
  int threads; /* 0: the runtime's default (CNNRT_NUM_THREADS or CPUs) */
} options;

static int report(const char *prog, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: error: ", prog);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return status;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void print_tensor_list(FILE *out, const char *title,
                              const cnnrt_tensor_info *infos, int count) {
  if (count == 0) {
    fprintf(out, "%s: none\n", title);
    return;
  }
  fprintf(out, "%s:\n", title);
  for (int i = 0; i < count; ++i) {
    char shape[256];
    cnnrt_format_shape(infos[i].shape, infos[i].rank, shape, sizeof(shape));
    fprintf(out, "  %-16s f32%s\n", infos[i].name, shape);
  }
}

static void print_usage(const options *o) {
  const cnnrt_model *m = o->model;
  printf("usage: %s [--input NAME=FILE.npy]... [--output NAME=FILE.npy]... "
         "[--bench N [--seed S]] [--threads T]\n",
         o->prog);
  printf("Runs the model '%s' compiled by cnnc (cnnrt %s).\n\n", m->name,
         CNNRT_VERSION);
  print_tensor_list(stdout, "inputs", m->inputs, m->num_inputs);
  print_tensor_list(stdout, "outputs", m->outputs, m->num_outputs);
  printf(
      "\noptions:\n"
      "  --input NAME=FILE.npy   read input NAME from a float32 C-order .npy "
      "file;\n"
      "                          just FILE.npy when the model has one input\n"
      "  --output NAME=FILE.npy  write output NAME to a .npy file instead of "
      "stdout;\n"
      "                          just FILE.npy when the model has one output\n"
      "  --bench N               time N runs after one warm-up; inputs not "
      "given are\n"
      "                          random in [-1, 1) and outputs are not "
      "printed\n"
      "  --seed S                seed of the --bench random inputs (default "
      "0)\n"
      "  --threads T             run on T threads (default: CNNRT_NUM_THREADS, "
      "else\n"
      "                          one per online CPU); results do not depend "
      "on T\n"
      "  --help                  show this help\n"
      "  --version               show the model and runtime version\n"
      "\nEvery input must be given unless --bench is used. Outputs not "
      "written with\n"
      "--output are printed to stdout (a summary above %d elements).\n"
      "Exit status: 0 success, 1 the model failed or out of memory, 2 bad "
      "command\nline or file.\n",
      PRINT_LIMIT);
}

/* "a, b, c" for error messages that list the valid names. */
static void join_names(const cnnrt_tensor_info *infos, int count, char *buf,
                       size_t len) {
  size_t pos = 0;
  buf[0] = '\0';
  for (int i = 0; i < count && pos < len; ++i) {
    int w =
        snprintf(buf + pos, len - pos, "%s%s", i ? ", " : "", infos[i].name);
    if (w < 0)
      break;
    pos += (size_t)w;
  }
}

/* Binds "NAME=FILE" (or plain "FILE" for a single tensor) to files[]. */
static int bind_file(const options *o, const char *value,
                     const cnnrt_tensor_info *infos, int count,
                     const char **files, const char *kind) {
  int index = -1;
  const char *file = value;
  const char *eq = strchr(value, '=');
  if (eq) {
    size_t name_len = (size_t)(eq - value);
    for (int i = 0; i < count; ++i)
      if (strlen(infos[i].name) == name_len &&
          memcmp(infos[i].name, value, name_len) == 0) {
        index = i;
        file = eq + 1;
        break;
      }
  }
  /* With a single tensor a value whose prefix is no name is a file name that
   * happens to contain '='. */
  if (index < 0 && count == 1)
    index = 0;
  if (index < 0) {
    char names[1024];
    join_names(infos, count, names, sizeof(names));
    if (count == 0)
      return report(o->prog, EXIT_USAGE, "model '%s' has no %ss",
                    o->model->name, kind);
    if (eq)
      return report(o->prog, EXIT_USAGE, "unknown %s '%.*s' (%ss: %s)", kind,
                    (int)(eq - value), value, kind, names);
    return report(o->prog, EXIT_USAGE,
                  "--%s needs NAME=FILE.npy, the model has %d %ss (%s)", kind,
                  count, kind, names);
  }
  if (*file == '\0')
    return report(o->prog, EXIT_USAGE, "empty file name for %s '%s'", kind,
                  infos[index].name);
  if (files[index])
    return report(o->prog, EXIT_USAGE, "%s '%s' given more than once", kind,
                  infos[index].name);
  files[index] = file;
  return EXIT_OK;
}

/* Matches "--name VALUE" and "--name=VALUE"; returns 1 and sets *value (NULL
 * when the value is missing). */
static int match_option(const char *name, int argc, char **argv, int *i,
                        const char **value) {
  const char *arg = argv[*i];
  size_t len = strlen(name);
  if (strncmp(arg, name, len) != 0)
    return 0;
  if (arg[len] == '=') {
    *value = arg + len + 1;
    return 1;
  }
  if (arg[len] != '\0')
    return 0;
  *value = *i + 1 < argc ? argv[++*i] : NULL;
  return 1;
}

/* A decimal integer in [1, max]; 0 otherwise. */
static long parse_count(const char *text, long max) {
  char *end;
  errno = 0;
  long n = strtol(text, &end, 10);
  return errno || end == text || *end || n < 1 || n > max ? 0 : n;
}

/* Parses the command line; returns -1 to go on running, else an exit status
 * (0 after --help or --version). */
static int parse_args(options *o, int argc, char **argv) {
  const cnnrt_model *m = o->model;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    const char *value = NULL;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      print_usage(o);
      return EXIT_OK;
    }
    if (strcmp(arg, "--version") == 0) {
      printf("model %s, cnnrt %s\n", m->name, CNNRT_VERSION);
      return EXIT_OK;
    }
    int is_input = match_option("--input", argc, argv, &i, &value);
    int is_output =
        !is_input && match_option("--output", argc, argv, &i, &value);
    int is_bench = !is_input && !is_output &&
                   match_option("--bench", argc, argv, &i, &value);
    int is_seed = !is_input && !is_output && !is_bench &&
                  match_option("--seed", argc, argv, &i, &value);
    int is_threads = !is_input && !is_output && !is_bench && !is_seed &&
                     match_option("--threads", argc, argv, &i, &value);
    if (!is_input && !is_output && !is_bench && !is_seed && !is_threads) {
      if (arg[0] == '-')
        return report(o->prog, EXIT_USAGE, "unknown option '%s' (see --help)",
                      arg);
      return report(o->prog, EXIT_USAGE,
                    "unexpected argument '%s' (see --help)", arg);
    }
    if (!value)
      return report(o->prog, EXIT_USAGE, "%s needs a value", arg);

    int rc = EXIT_OK;
    if (is_input) {
      rc = bind_file(o, value, m->inputs, m->num_inputs, o->input_files,
                     "input");
    } else if (is_output) {
      rc = bind_file(o, value, m->outputs, m->num_outputs, o->output_files,
                     "output");
    } else if (is_bench) {
      long n = parse_count(value, MAX_BENCH_RUNS);
      if (!n)
        rc = report(o->prog, EXIT_USAGE,
                    "--bench needs a run count from 1 to %ld, got '%s'",
                    MAX_BENCH_RUNS, value);
      o->bench = n;
    } else if (is_threads) {
      o->threads = (int)parse_count(value, CNNRT_MAX_THREADS);
      if (!o->threads)
        rc = report(o->prog, EXIT_USAGE,
                    "--threads needs a thread count from 1 to %d, got '%s'",
                    CNNRT_MAX_THREADS, value);
    } else {
      char *end;
      errno = 0;
      unsigned long long s = strtoull(value, &end, 10);
      /* strtoull silently negates "-1"; reject signs outright. */
      if (errno || end == value || *end || value[0] == '-' || value[0] == '+')
        rc = report(o->prog, EXIT_USAGE,
                    "--seed needs a non-negative integer, got '%s'", value);
      o->seed = (uint64_t)s;
    }
    if (rc != EXIT_OK)
      return rc;
  }
  return -1;
}

static int check_tensors(const char *prog, const char *kind,
                         const cnnrt_tensor_info *infos, int count) {
  if (count < 0 || (count > 0 && !infos))
    return report(prog, EXIT_FAILED, "invalid model: bad %s list", kind);
  for (int i = 0; i < count; ++i)
    if (!infos[i].name || cnnrt_num_elements(&infos[i]) == SIZE_MAX)
      return report(prog, EXIT_FAILED, "invalid model: bad %s #%d", kind, i);
  return EXIT_OK;
}

/* ---- Printing outputs */

static const float *print_nested(const float *v, const int64_t *shape,
                                 int rank) {
  if (rank == 0) {
    printf("%.9g", (double)*v);
    return v + 1;
  }
  putchar('[');
  for (int64_t i = 0; i < shape[0]; ++i) {
    if (i)
      fputs(", ", stdout);
    v = print_nested(v, shape + 1, rank - 1);
  }
  putchar(']');
  return v;
}

/* NaN propagates into min, max and mean, and argmax is the first NaN, as in
 * numpy. */
static void print_summary(const float *v, size_t n) {
  float lo = v[0], hi = v[0];
  size_t argmax = 0, first_nan = SIZE_MAX;
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    float x = v[i];
    sum += (double)x;
    if (isnan(x)) {
      if (first_nan == SIZE_MAX)
        first_nan = i;
      continue;
    }
    if (x < lo || isnan(lo))
      lo = x;
    if (x > hi || isnan(hi)) {
      hi = x;
      argmax = i;
    }
  }
  if (first_nan != SIZE_MAX) {
    lo = hi = NAN;
    argmax = first_nan;
  }
  printf("min %.9g max %.9g mean %.9g argmax %zu first [", (double)lo,
         (double)hi, sum / (double)n, argmax);
  for (size_t i = 0; i < n && i < SUMMARY_HEAD; ++i)
    printf("%s%.9g", i ? ", " : "", (double)v[i]);
  printf("]\n");
}

void cnnrt_print_tensor(const cnnrt_tensor_info *t, const float *v) {
  char shape[256];
  cnnrt_format_shape(t->shape, t->rank, shape, sizeof(shape));
  printf("%s: f32%s\n", t->name, shape);
  size_t n = cnnrt_num_elements(t);
  if (n == 0) {
    /* numpy prints any empty array as [] (and nesting over a huge zero-sized
     * shape could take forever). */
    printf("[]\n");
  } else if (n > PRINT_LIMIT) {
    print_summary(v, n);
  } else {
    print_nested(v, t->shape, t->rank);
    putchar('\n');
  }
}

/* ---- Running */

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int run_once(const options *o, const float *const *in, float *const *out,
                    void *ws) {
  int rc = o->model->run(in, out, ws);
  if (rc != 0)
    return report(o->prog, EXIT_FAILED, "model '%s' failed (run returned %d)",
                  o->model->name, rc);
  return EXIT_OK;
}

/* The process's peak resident set (VmHWM) in bytes, 0 where /proc is not
 * there. getrusage's ru_maxrss would include what the parent held before
 * exec. */
static size_t peak_rss_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return 0;
  char line[256];
  size_t kb = 0;
  while (fgets(line, sizeof(line), f))
    if (sscanf(line, "VmHWM: %zu kB", &kb) == 1)
      break;
  fclose(f);
  return kb * 1024;
}

static int bench(const options *o, const float *const *in, float *const *out,
                 void *ws) {
  double *times = malloc((size_t)o->bench * sizeof(double));
  if (!times)
    return report(o->prog, EXIT_FAILED, "out of memory");
  /* One untimed warm-up run pages in the weights and workspace. */
  int rc = run_once(o, in, out, ws);
  cnnrt_profile_reset();
  double sum = 0;
  for (long i = 0; i < o->bench && rc == EXIT_OK; ++i) {
    double start = cnnrt_now_seconds();
    rc = run_once(o, in, out, ws);
    times[i] = (cnnrt_now_seconds() - start) * 1e3;
    sum += times[i];
  }
  if (rc == EXIT_OK) {
    size_t n = (size_t)o->bench;
    qsort(times, n, sizeof(double), compare_doubles);
    double median =
        n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    int threads = cnnrt_get_num_threads();
    printf("latency ms: min %.4f median %.4f max %.4f (%ld runs, %d "
           "thread%s)\n",
           times[0], median, times[n - 1], o->bench, threads,
           threads == 1 ? "" : "s");
    size_t rss = peak_rss_bytes();
    if (rss)
      printf("peak RSS MB: %.1f\n", rss / 1e6);
    if (cnnrt_profile_enabled())
      cnnrt_profile_print(sum / (double)n, o->bench);
  }
  free(times);
  return rc;
}

static int run_model(const options *o) {
  const cnnrt_model *m = o->model;
  int rc = EXIT_OK;
  /* Arrays of at least one slot so a model without inputs or outputs still
   * gets valid pointers. */
  float **in = calloc((size_t)m->num_inputs + 1, sizeof(float *));
  float **out = calloc((size_t)m->num_outputs + 1, sizeof(float *));
  void *ws = cnnrt_aligned_alloc(m->workspace_bytes);
  if (!in || !out || !ws)
    rc = report(o->prog, EXIT_FAILED, "out of memory");

  uint64_t state = o->seed;
  for (int i = 0; rc == EXIT_OK && i < m->num_inputs; ++i) {
    const cnnrt_tensor_info *t = &m->inputs[i];
    size_t n = cnnrt_num_elements(t);
    in[i] = cnnrt_aligned_alloc(n * sizeof(float));
    if (!in[i]) {
      rc =
          report(o->prog, EXIT_FAILED, "out of memory for input '%s'", t->name);
    } else if (o->input_files[i]) {
      char err[4096];
      if (cnnrt_npy_read(o->input_files[i], t, in[i], err, sizeof(err)))
        rc = report(o->prog, EXIT_USAGE, "%s", err);
    } else {
      /* Random inputs come from one stream, in input order. */
      cnnrt_random_fill(in[i], n, &state);
    }
  }
  for (int i = 0; rc == EXIT_OK && i < m->num_outputs; ++i) {
    out[i] =
        cnnrt_aligned_alloc(cnnrt_num_elements(&m->outputs[i]) * sizeof(float));
    if (!out[i])
      rc = report(o->prog, EXIT_FAILED, "out of memory for output '%s'",
                  m->outputs[i].name);
  }

  if (rc == EXIT_OK) {
    const float *const *cin = (const float *const *)in;
    rc = o->bench ? bench(o, cin, out, ws) : run_once(o, cin, out, ws);
  }

  for (int i = 0; rc == EXIT_OK && i < m->num_outputs; ++i) {
    const cnnrt_tensor_info *t = &m->outputs[i];
    if (o->output_files[i]) {
      char err[4096];
      if (cnnrt_npy_write(o->output_files[i], t, out[i], err, sizeof(err)))
        rc = report(o->prog, EXIT_USAGE, "%s", err);
    } else if (!o->bench) {
      cnnrt_print_tensor(t, out[i]);
    }
  }
  if ((fflush(stdout) != 0 || ferror(stdout)) && rc == EXIT_OK)
    rc = report(o->prog, EXIT_USAGE, "cannot write to stdout");

  for (int i = 0; in && i < m->num_inputs; ++i)
    cnnrt_aligned_free(in[i]);
  for (int i = 0; out && i < m->num_outputs; ++i)
    cnnrt_aligned_free(out[i]);
  free(in);
  free(out);
  cnnrt_aligned_free(ws);
  return rc;
}

int cnnrt_main(const cnnrt_model *model, int argc, char **argv) {
  const char *prog = argc > 0 && argv && argv[0] && argv[0][0]
                         ? base_name(argv[0])
                         : (model && model->name ? model->name : "cnnrt");
  if (!model || !model->name || !model->run)
    return report(prog, EXIT_FAILED, "invalid model description");
  int rc = check_tensors(prog, "input", model->inputs, model->num_inputs);
  if (rc == EXIT_OK)
    rc = check_tensors(prog, "output", model->outputs, model->num_outputs);
  if (rc != EXIT_OK)
    return rc;

  options o = {model, prog, NULL, NULL, 0, 0, 0};
  o.input_files = calloc((size_t)model->num_inputs + 1, sizeof(char *));
  o.output_files = calloc((size_t)model->num_outputs + 1, sizeof(char *));
  if (!o.input_files || !o.output_files) {
    rc = report(prog, EXIT_FAILED, "out of memory");
    goto done;
  }
  rc = parse_args(&o, argc, argv);
  if (rc >= 0)
    goto done;

  rc = EXIT_OK;
  const char *env = getenv("CNNRT_NUM_THREADS");
  if (o.threads) {
    cnnrt_set_num_threads(o.threads);
  } else if (env && *env && !parse_count(env, CNNRT_MAX_THREADS)) {
    rc = report(prog, EXIT_USAGE,
                "CNNRT_NUM_THREADS needs a thread count from 1 to %d, got '%s'",
                CNNRT_MAX_THREADS, env);
    goto done;
  }
  if (!o.bench) {
    for (int i = 0; i < model->num_inputs; ++i) {
      if (o.input_files[i])
        continue;
      char shape[256];
      const cnnrt_tensor_info *t = &model->inputs[i];
      cnnrt_format_shape(t->shape, t->rank, shape, sizeof(shape));
      rc = report(
          prog, EXIT_USAGE,
          "missing input '%s' (expected f32%s); pass --input %s=FILE.npy",
          t->name, shape, t->name);
    }
  }
  if (rc == EXIT_OK)
    rc = run_model(&o);

done:
  free(o.input_files);
  free(o.output_files);
  return rc;
}
