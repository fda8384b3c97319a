//===- DarknetSections.cpp - the cfg sections and keys cnnc knows ---------===//

#include "compiler/import/DarknetSections.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace cnnc::darknet;
using llvm::StringRef;

// Keys of AlexeyAB's darknet that only training reads.
static constexpr StringRef kNetTraining =
    "subdivisions momentum decay angle saturation exposure hue aspect "
    "learning_rate learning_rate_min burn_in max_batches policy steps scales "
    "step scale gamma power seq_scales sgdr_cycle sgdr_mult max_crop min_crop "
    "flip blur gaussian_noise mixup cutmix mosaic mosaic_bound letter_box "
    "label_smooth_eps adam B1 B2 eps time_steps track augment_speed "
    "sequential_subdivisions try_fix_nan ema_alpha loss_scale "
    "dynamic_minibatch optimized_memory workspace_size_limit_MB use_cuda_graph "
    "resize_step attention adversarial_lr max_chart_loss contrastive "
    "contrastive_jit_flip contrastive_color unsupervised show_receptive_field "
    "weights_reject_freq equidistant_point badlabels_rejection_percentage "
    "num_sigmas_reject_badlabels";
static constexpr StringRef kLayerTraining = "stopbackward train_only_bn";
// Assisted excitation only runs in training (convolutional_layer.c).
static constexpr StringRef kConvTraining =
    "stopbackward train_only_bn assisted_excitation";
// Anchors, losses and thresholds: training and box decoding only.
static constexpr StringRef kYoloDecoding =
    "anchors jitter ignore_thresh truth_thresh iou_thresh random scale_x_y "
    "max max_delta show_details counters_per_class label_smooth_eps "
    "objectness_smooth new_coords iou_normalizer obj_normalizer "
    "cls_normalizer delta_normalizer iou_loss iou_thresh_kind beta_nms "
    "nms_kind resize focal_loss track_history_size sim_thresh dets_for_track "
    "dets_for_show track_ciou_norm embedding_layer map";
static constexpr StringRef kGaussianYoloDecoding =
    "anchors jitter ignore_thresh truth_thresh iou_thresh random scale_x_y "
    "max max_delta counters_per_class label_smooth_eps objectness_smooth "
    "uc_normalizer iou_normalizer obj_normalizer cls_normalizer "
    "delta_normalizer iou_loss iou_thresh_kind beta_nms nms_kind yolo_point "
    "resize map";
static constexpr StringRef kDetectionDecoding =
    "rescore sqrt max coord_scale forced object_scale noobject_scale "
    "class_scale jitter resize random reorg";
static constexpr StringRef kRegionDecoding =
    "anchors softmax jitter rescore object_scale noobject_scale class_scale "
    "coord_scale mask_scale thresh random bias_match absolute log sqrt "
    "focal_loss classfix max resize tree map";

// `batch` is read (and must be a positive integer) but cnnc compiles batch
// 1, as Darknet runs detection with batch 1 whatever the cfg trains with.
static const SectionSpec kSections[] = {
    {"net", "width height channels batch", kNetTraining, "inputs"},
    {"convolutional",
     "filters size stride stride_x stride_y pad padding groups dilation "
     "activation batch_normalize share_index antialiasing binary xnor "
     "bin_output",
     kConvTraining, "deform sway rotate stretch stretch_sway coordconv"},
    {"connected", "output activation batch_normalize", kLayerTraining},
    {"local", "filters size stride pad activation", kLayerTraining},
    {"maxpool",
     "size stride stride_x stride_y padding maxpool_depth out_channels "
     "antialiasing",
     kLayerTraining},
    {"local_avgpool", "size stride stride_x stride_y padding", kLayerTraining},
    {"avgpool", "", kLayerTraining},
    {"route", "layers groups group_id", kLayerTraining},
    {"shortcut", "from activation weights_type weights_normalization",
     kLayerTraining},
    {"upsample", "stride scale", kLayerTraining, "reverse"},
    {"reorg", "stride", kLayerTraining, "reverse"},
    {"reorg3d", "stride", kLayerTraining, "reverse"},
    {"crop", "crop_height crop_width noadjust",
     "flip angle saturation exposure shift"},
    {"scale_channels", "from scale_wh activation", kLayerTraining},
    {"sam", "from activation", kLayerTraining},
    {"activation", "activation", kLayerTraining},
    {"batchnorm", "", kLayerTraining},
    {"softmax", "groups temperature", "noloss", "tree spatial"},
    {"dropout", "",
     "probability dropblock dropblock_size_rel dropblock_size_abs"},
    {"cost", "", "type scale ratio noobject_scale thresh"},
    {"yolo", "classes num mask", kYoloDecoding},
    {"Gaussian_yolo", "classes num mask", kGaussianYoloDecoding},
    {"region", "classes num coords", kRegionDecoding},
    {"detection", "classes num coords side softmax", kDetectionDecoding},
};

static bool isListed(StringRef list, StringRef key) {
  llvm::SmallVector<StringRef> words;
  list.split(words, ' ', -1, /*KeepEmpty=*/false);
  return llvm::is_contained(words, key);
}

bool SectionSpec::accepts(StringRef key) const {
  return isListed(keys, key) || isListed(ignored, key);
}

bool SectionSpec::rejects(StringRef key) const {
  return isListed(unsupported, key);
}

std::string SectionSpec::listKeys() const {
  llvm::SmallVector<StringRef> words;
  keys.split(words, ' ', -1, /*KeepEmpty=*/false);
  return llvm::join(words, ", ");
}

StringRef cnnc::darknet::canonicalType(StringRef type) {
  return llvm::StringSwitch<StringRef>(type)
      .Case("network", "net")
      .Case("conv", "convolutional")
      .Case("conn", "connected")
      .Case("max", "maxpool")
      .Case("avg", "avgpool")
      .Case("soft", "softmax")
      .Case("local_avg", "local_avgpool")
      .Default(type);
}

const SectionSpec *cnnc::darknet::findSection(StringRef type) {
  for (const SectionSpec &spec : kSections)
    if (spec.type == canonicalType(type))
      return &spec;
  return nullptr;
}

std::string cnnc::darknet::listSections() {
  std::string result;
  for (auto [i, spec] : llvm::enumerate(kSections)) {
    if (i > 0)
      result += i + 1 == std::size(kSections) ? " and " : ", ";
    result += "[" + spec.type.str() + "]";
  }
  return result;
}

bool cnnc::darknet::isRecurrent(StringRef type) {
  return isListed("rnn lstm gru crnn conv_lstm history", type);
}

bool cnnc::darknet::isTrainingOnly(StringRef type) {
  return isListed("contrastive", type);
}
