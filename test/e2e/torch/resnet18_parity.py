#!/usr/bin/env python3
"""ResNet-18 parity: cnnc (-O2 and --reference) against torchvision.

torchvision's resnet18() with random initialisation (no download), in eval()
mode, every BatchNorm given random running statistics and affine parameters so
that batchnorm is really exercised. Its state_dict (num_batches_tracked
included, which cnnc ignores) goes to samples/resnet18.cnn unchanged.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
import torchvision  # noqa: E402


def main():
    args = parity_common.parse_args(__doc__)
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    model = torchvision.models.resnet18()  # random init: weights=None, no download
    model.eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
    image = torch.randn(1, 3, 224, 224)
    return parity_common.check_parity(args, model, image, "resnet18.cnn",
                                      input_name="image", output_name="logits",
                                      levels=[2])


if __name__ == "__main__":
    sys.exit(main())
