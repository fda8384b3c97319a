// One convolution + bias + ReLU in oneDNN (libdnnl-dev 2.6), the way its
// users run it: every tensor in the layout oneDNN picks (format_tag::any),
// reorders outside the timing. Prints the median milliseconds of RUNS, or
// "-" when oneDNN has no implementation of ALGORITHM for the layer.
// `dw3sS` (a 1x1 conv only): a 3x3 depthwise conv with stride S, padding
// 1, bias and ReLU fused after it as oneDNN's depthwise post-op (MobileNet's
// expansion and depthwise conv as one primitive).
//
//   onednn_conv N C H W F KH KW STRIDE PAD GROUPS RUNS
//               [direct|winograd|dw3s1|dw3s2]
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace dnnl;

int main(int argc, char **argv) {
  if (argc != 12 && argc != 13) {
    std::fprintf(stderr,
                 "usage: %s N C H W F KH KW STRIDE PAD GROUPS RUNS "
                 "[direct|winograd|dw3s1|dw3s2]\n",
                 argv[0]);
    return 2;
  }
  const std::string mode = argc == 13 ? argv[12] : "direct";
  const algorithm algo = mode == "winograd" ? algorithm::convolution_winograd
                                            : algorithm::convolution_direct;
  const long dwStride = mode == "dw3s1" ? 1 : mode == "dw3s2" ? 2 : 0;
  long a[11];
  for (int i = 0; i < 11; ++i)
    a[i] = std::atol(argv[i + 1]);
  const long n = a[0], c = a[1], h = a[2], w = a[3], f = a[4], kh = a[5],
             kw = a[6], s = a[7], p = a[8], g = a[9], runs = a[10];
  const long oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1;

  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  auto any = [](memory::dims d) {
    return memory::desc(d, memory::data_type::f32, memory::format_tag::any);
  };
  memory::dims wdims = g == 1 ? memory::dims{f, c, kh, kw}
                              : memory::dims{g, f / g, c / g, kh, kw};
  convolution_forward::desc desc(
      prop_kind::forward_inference, algo, any({n, c, h, w}), any(wdims),
      any({f}), any({n, f, oh, ow}), {s, s}, {0, 0}, {p, p}, {p, p});
  post_ops ops;
  ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
  if (dwStride) {
    ops.append_dw(memory::data_type::f32, memory::data_type::f32,
                  memory::data_type::f32, 3, dwStride, 1, 0, {});
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
  }
  primitive_attr attr;
  attr.set_post_ops(ops);
  convolution_forward::primitive_desc pd;
  try {
    pd = convolution_forward::primitive_desc(desc, attr, eng);
  } catch (const dnnl::error &) {
    std::printf("-\n"); // no implementation of `algo` for this layer
    return 0;
  }

  memory src(pd.src_desc(), eng), weights(pd.weights_desc(), eng),
      bias(pd.bias_desc(), eng), dst(pd.dst_desc(), eng);
  const int dwWeightsArg = DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_WEIGHTS;
  const int dwBiasArg = DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_BIAS;
  memory dwWeights(pd.query_md(query::exec_arg_md, dwWeightsArg), eng),
      dwBias(pd.query_md(query::exec_arg_md, dwBiasArg), eng);
  for (memory *m : {&src, &weights, &bias, &dwWeights, &dwBias}) {
    float *data = static_cast<float *>(m->get_data_handle());
    size_t count = m->get_desc().get_size() / sizeof(float);
    for (size_t i = 0; i < count; ++i)
      data[i] = float(int(i % 17) - 8) / 16.f;
  }
  convolution_forward conv(pd);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src},
                                          {DNNL_ARG_WEIGHTS, weights},
                                          {DNNL_ARG_BIAS, bias},
                                          {DNNL_ARG_DST, dst}};
  if (dwStride) {
    args.insert({dwWeightsArg, dwWeights});
    args.insert({dwBiasArg, dwBias});
  }
  if (std::getenv("ONEDNN_CONV_IMPL"))
    std::fprintf(stderr, "%s\n", pd.impl_info_str());
  conv.execute(strm, args);
  strm.wait();
  std::vector<double> ms;
  for (long i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    conv.execute(strm, args);
    strm.wait();
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%.4f\n", ms[ms.size() / 2]);
  return 0;
}
