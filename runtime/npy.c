/* Float32 .npy reading and writing (format spec:
 * numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
 *
 * Reading is strict so that a wrong file is reported rather than silently
 * reinterpreted: the dtype must be '<f4', the shape must equal the expected
 * one exactly, and bytes after the data are an error. Unknown header keys are
 * ignored. fortran_order True is accepted only where it describes the same
 * memory as C order (at most one dim other than 1). */
#define _POSIX_C_SOURCE 200809L

#include "cnnrt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libcnnrt copies '<f4' data as is, which needs a little-endian host"
#endif

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
/* Real headers are under 1 KiB; the cap stops a corrupt length field from
 * asking for gigabytes. numpy allows up to 32 (now 64) dims. */
#define NPY_MAX_HEADER_LEN (1u << 20)
#define NPY_MAX_DIMS 64

static int fail(char *err, size_t err_len, const char *fmt, ...) {
  if (err && err_len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
  }
  return 1;
}

/* ---- Header dict parsing: a Python literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */

typedef struct {
  const char *p;
  const char *end;
} cursor;

typedef struct {
  int has_descr, descr_is_string;
  char descr[32];
  int has_fortran, fortran;
  int has_shape, rank;
  int64_t shape[NPY_MAX_DIMS];
} npy_header;

static void skip_ws(cursor *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    ++c->p;
}

static int accept(cursor *c, char ch) {
  skip_ws(c);
  if (c->p < c->end && *c->p == ch) {
    ++c->p;
    return 1;
  }
  return 0;
}

/* Reads a quoted string into out (truncated to fit); no escapes, since numpy
 * never writes them in the keys or simple dtypes we care about. */
static int parse_string(cursor *c, char *out, size_t out_len) {
  skip_ws(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
    return 0;
  char quote = *c->p++;
  size_t n = 0;
  while (c->p < c->end && *c->p != quote) {
    /* No escapes, and no NUL: it would end the C string early. */
    if (*c->p == '\\' || *c->p == '\0')
      return 0;
    if (n + 1 < out_len)
      out[n++] = *c->p;
    ++c->p;
  }
  if (out_len > 0)
    out[n] = '\0';
  if (c->p >= c->end)
    return 0;
  ++c->p;
  return 1;
}

static int parse_word(cursor *c, const char *word) {
  skip_ws(c);
  size_t n = strlen(word);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
    return 0;
  c->p += n;
  return 1;
}

/* Non-negative integer with overflow check; the 'L' suffix appears in files
 * written by Python 2. */
static int parse_dim(cursor *c, int64_t *out) {
  skip_ws(c);
  if (c->p >= c->end || *c->p < '0' || *c->p > '9')
    return 0;
  int64_t v = 0;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    int digit = *c->p++ - '0';
    if (v > (INT64_MAX - digit) / 10)
      return 0;
    v = v * 10 + digit;
  }
  if (c->p < c->end && *c->p == 'L')
    ++c->p;
  *out = v;
  return 1;
}

static int parse_shape(cursor *c, npy_header *h) {
  if (!accept(c, '('))
    return 0;
  h->rank = 0;
  if (accept(c, ')'))
    return 1;
  for (;;) {
    if (h->rank == NPY_MAX_DIMS || !parse_dim(c, &h->shape[h->rank]))
      return 0;
    ++h->rank;
    if (accept(c, ')'))
      return 1;
    if (!accept(c, ','))
      return 0;
    if (accept(c, ')'))
      return 1;
  }
}

/* Skips any value (e.g. a structured dtype list) up to the ',' or '}' that
 * ends it, minding nesting and quotes. */
static int skip_value(cursor *c) {
  int depth = 0;
  skip_ws(c);
  while (c->p < c->end) {
    char ch = *c->p;
    if (ch == '\'' || ch == '"') {
      const char *close = memchr(c->p + 1, ch, (size_t)(c->end - c->p - 1));
      if (!close)
        return 0;
      c->p = close + 1;
      continue;
    }
    if (depth == 0 && (ch == ',' || ch == '}'))
      return 1;
    if (ch == '(' || ch == '[' || ch == '{')
      ++depth;
    else if (ch == ')' || ch == ']' || ch == '}') {
      if (--depth < 0)
        return 0;
    }
    ++c->p;
  }
  return 0;
}

/* Returns NULL on success, else a static description of the problem. */
static const char *parse_header(const char *text, size_t len, npy_header *h) {
  cursor c = {text, text + len};
  memset(h, 0, sizeof(*h));
  if (!accept(&c, '{'))
    return "header is not a dict";
  while (!accept(&c, '}')) {
    char key[32];
    if (!parse_string(&c, key, sizeof(key)) || !accept(&c, ':'))
      return "malformed header dict";
    if (strcmp(key, "descr") == 0) {
      if (h->has_descr)
        return "duplicate 'descr' in header";
      h->has_descr = 1;
      cursor save = c;
      h->descr_is_string = parse_string(&c, h->descr, sizeof(h->descr));
      if (!h->descr_is_string) {
        c = save;
        /* A string that does not parse (an escape, a NUL) is malformed; a
         * list is a structured dtype, rejected below. */
        skip_ws(&c);
        if (c.p < c.end && (*c.p == '\'' || *c.p == '"'))
          return "malformed 'descr' in header";
        if (!skip_value(&c))
          return "malformed 'descr' in header";
      }
    } else if (strcmp(key, "fortran_order") == 0) {
      if (h->has_fortran)
        return "duplicate 'fortran_order' in header";
      h->has_fortran = 1;
      if (parse_word(&c, "True"))
        h->fortran = 1;
      else if (parse_word(&c, "False"))
        h->fortran = 0;
      else
        return "malformed 'fortran_order' in header";
    } else if (strcmp(key, "shape") == 0) {
      if (h->has_shape)
        return "duplicate 'shape' in header";
      h->has_shape = 1;
      if (!parse_shape(&c, h))
        return "malformed 'shape' in header";
    } else if (!skip_value(&c)) {
      return "malformed header dict";
    }
    if (accept(&c, '}'))
      break;
    if (!accept(&c, ','))
      return "malformed header dict";
  }
  skip_ws(&c);
  if (c.p != c.end)
    return "unexpected text after the header dict";
  if (!h->has_descr)
    return "header lacks 'descr'";
  if (!h->has_fortran)
    return "header lacks 'fortran_order'";
  if (!h->has_shape)
    return "header lacks 'shape'";
  return NULL;
}

static int same_shape(const npy_header *h, const cnnrt_tensor_info *t) {
  if (h->rank != t->rank)
    return 0;
  for (int i = 0; i < h->rank; ++i)
    if (h->shape[i] != t->shape[i])
      return 0;
  return 1;
}

static int fortran_differs_from_c(const npy_header *h) {
  int big_dims = 0;
  for (int i = 0; i < h->rank; ++i)
    big_dims += h->shape[i] != 1;
  return big_dims > 1;
}

/* ---- Reading */

/* Checks the header against t; the file is positioned at the data after. */
static int read_header(FILE *f, const char *path, const cnnrt_tensor_info *t,
                       char *err, size_t err_len) {
  unsigned char pre[NPY_MAGIC_LEN + 2 + 4];
  size_t got = fread(pre, 1, NPY_MAGIC_LEN, f);
  if (got < NPY_MAGIC_LEN || memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
    return fail(err, err_len, "'%s' is not a .npy file (bad magic)", path);
  if (fread(pre + NPY_MAGIC_LEN, 1, 2, f) < 2)
    return fail(err, err_len, "'%s': truncated header", path);
  unsigned major = pre[6], minor = pre[7];
  if (major < 1 || major > 3 || minor != 0)
    return fail(err, err_len, "'%s': unsupported .npy version %u.%u", path,
                major, minor);
  /* Version 1.0 has a 2-byte header length, 2.0 and 3.0 a 4-byte one. */
  size_t len_bytes = major == 1 ? 2 : 4;
  if (fread(pre + 8, 1, len_bytes, f) < len_bytes)
    return fail(err, err_len, "'%s': truncated header", path);
  uint32_t hlen = 0;
  for (size_t i = len_bytes; i-- > 0;)
    hlen = (hlen << 8) | pre[8 + i];
  if (hlen > NPY_MAX_HEADER_LEN)
    return fail(err, err_len, "'%s': header length %lu is implausibly large",
                path, (unsigned long)hlen);

  char *text = malloc(hlen + 1);
  if (!text)
    return fail(err, err_len, "'%s': out of memory", path);
  got = fread(text, 1, hlen, f);
  if (got < hlen) {
    free(text);
    return fail(err, err_len,
                "'%s': truncated header (expected %lu bytes, got %lu)", path,
                (unsigned long)hlen, (unsigned long)got);
  }
  text[hlen] = '\0';
  npy_header h;
  const char *problem = parse_header(text, hlen, &h);
  free(text);
  if (problem)
    return fail(err, err_len, "'%s': %s", path, problem);

  if (!h.descr_is_string)
    return fail(err, err_len,
                "'%s': structured dtype is not supported, expected '<f4' "
                "(float32)",
                path);
  if (strcmp(h.descr, "<f4") != 0)
    return fail(err, err_len,
                "'%s': dtype '%s' is not supported, expected '<f4' (float32)",
                path, h.descr);
  if (h.fortran && fortran_differs_from_c(&h))
    return fail(err, err_len,
                "'%s': fortran_order arrays are not supported, save a C-order "
                "array (np.ascontiguousarray)",
                path);
  if (!same_shape(&h, t)) {
    char have[256], want[256];
    cnnrt_format_shape(h.shape, h.rank, have, sizeof(have));
    cnnrt_format_shape(t->shape, t->rank, want, sizeof(want));
    return fail(err, err_len,
                "'%s': shape %s does not match expected shape %s of '%s'", path,
                have, want, t->name ? t->name : "?");
  }
  return 0;
}

int cnnrt_npy_read(const char *path, const cnnrt_tensor_info *t, float *dst,
                   char *err, size_t err_len) {
  if (!path || !t)
    return fail(err, err_len, "cnnrt_npy_read: null argument");
  size_t n = cnnrt_num_elements(t);
  if (n == SIZE_MAX)
    return fail(err, err_len, "'%s': invalid tensor description for '%s'", path,
                t->name ? t->name : "?");
  if (n > 0 && !dst)
    return fail(err, err_len, "cnnrt_npy_read: null destination");

  FILE *f = fopen(path, "rb");
  if (!f)
    return fail(err, err_len, "cannot open '%s': %s", path, strerror(errno));
  /* fopen succeeds on a directory on Linux; only reads fail, vaguely. */
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    return fail(err, err_len, "'%s' is a directory, not a .npy file", path);
  }
  int rc = read_header(f, path, t, err, err_len);
  if (rc == 0) {
    size_t want = n * sizeof(float);
    size_t got = want ? fread(dst, 1, want, f) : 0;
    if (got < want)
      rc = ferror(f) ? fail(err, err_len, "'%s': read error: %s", path,
                            strerror(errno))
                     : fail(err, err_len,
                            "'%s': truncated data (expected %zu bytes, got "
                            "%zu)",
                            path, want, got);
    else if (fgetc(f) != EOF)
      rc = fail(err, err_len, "'%s': unexpected bytes after the %zu data bytes",
                path, want);
  }
  if (rc == 0 && ferror(f))
    rc = fail(err, err_len, "'%s': read error: %s", path, strerror(errno));
  fclose(f);
  return rc;
}

/* ---- Writing */

/* Builds a version 1.0 header padded so the data starts 64-byte aligned, as
 * numpy does. Returns its length, or 0 if it did not fit. */
static size_t build_header(const cnnrt_tensor_info *t, char *buf,
                           size_t buf_len) {
  char shape[CNNRT_MAX_RANK * 24 + 8];
  size_t pos = 0;
  shape[pos++] = '(';
  for (int i = 0; i < t->rank; ++i)
    pos += (size_t)snprintf(shape + pos, sizeof(shape) - pos, "%s%lld",
                            i ? ", " : "", (long long)t->shape[i]);
  /* A 1-tuple needs its trailing comma to stay a tuple in Python. */
  snprintf(shape + pos, sizeof(shape) - pos, "%s)", t->rank == 1 ? "," : "");

  const size_t pre = NPY_MAGIC_LEN + 2 + 2;
  int dict_len = snprintf(
      buf + pre, buf_len - pre,
      "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", shape);
  if (dict_len < 0)
    return 0;
  size_t total = pre + (size_t)dict_len + 1;
  total = (total + 63) / 64 * 64;
  if (total > buf_len)
    return 0;
  memset(buf + pre + dict_len, ' ', total - pre - (size_t)dict_len - 1);
  buf[total - 1] = '\n';
  memcpy(buf, NPY_MAGIC, NPY_MAGIC_LEN);
  buf[6] = 1;
  buf[7] = 0;
  size_t hlen = total - pre;
  buf[8] = (char)(hlen & 0xff);
  buf[9] = (char)(hlen >> 8);
  return total;
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

int cnnrt_npy_write(const char *path, const cnnrt_tensor_info *t,
                    const float *src, char *err, size_t err_len) {
  if (!path || !t)
    return fail(err, err_len, "cnnrt_npy_write: null argument");
  size_t n = cnnrt_num_elements(t);
  if (n == SIZE_MAX)
    return fail(err, err_len, "'%s': invalid tensor description for '%s'", path,
                t->name ? t->name : "?");
  if (n > 0 && !src)
    return fail(err, err_len, "cnnrt_npy_write: null source");
  char header[512];
  size_t header_len = build_header(t, header, sizeof(header));
  if (header_len == 0)
    return fail(err, err_len, "'%s': cannot build .npy header", path);

  struct stat st;
  int exists = stat(path, &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    return fail(err, err_len, "cannot write '%s': is a directory", path);

  /* Devices and FIFOs (/dev/stdout, a pipe) are written in place: renaming
   * over them would replace the device node instead of writing to it. */
  if (exists && !S_ISREG(st.st_mode)) {
    int fd = open(path, O_WRONLY);
    if (fd < 0)
      return fail(err, err_len, "cannot write '%s': %s", path, strerror(errno));
    int rc = write_all(fd, header, header_len) ||
             write_all(fd, src, n * sizeof(float));
    int saved = errno;
    close(fd);
    return rc ? fail(err, err_len, "cannot write '%s': %s", path,
                     strerror(saved))
              : 0;
  }

  /* Regular files: write a sibling temp file and rename it over the target,
   * so a failure (full disk, crash) never leaves a half-written .npy. */
  size_t tmp_len = strlen(path) + 48;
  char *tmp = malloc(tmp_len);
  if (!tmp)
    return fail(err, err_len, "cannot write '%s': out of memory", path);
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    snprintf(tmp, tmp_len, "%s.tmp.%ld.%d", path, (long)getpid(), attempt);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      break;
  }
  if (fd < 0) {
    int saved = errno;
    free(tmp);
    return fail(err, err_len, "cannot write '%s': %s", path, strerror(saved));
  }
  int rc = write_all(fd, header, header_len) ||
           write_all(fd, src, n * sizeof(float));
  int saved = errno;
  if (close(fd) != 0 && rc == 0) {
    rc = 1;
    saved = errno;
  }
  if (rc == 0 && rename(tmp, path) != 0) {
    rc = 1;
    saved = errno;
  }
  if (rc != 0)
    unlink(tmp);
  free(tmp);
  return rc ? fail(err, err_len, "cannot write '%s': %s", path, strerror(saved))
            : 0;
}
