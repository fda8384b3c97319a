#!/usr/bin/env python3
"""LeNet-5 parity: cnnc (-O0, -O2, --reference) against PyTorch.

The module's attribute names give state_dict keys c1.weight, c1.bias, c3.*,
f5.*, f6.*, logits.*, which are the layer names in samples/lenet5.cnn.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity_common  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)
        self.f5 = nn.Linear(16 * 5 * 5, 120)
        self.f6 = nn.Linear(120, 84)
        self.logits = nn.Linear(84, 10)

    def forward(self, image):
        x = F.max_pool2d(F.relu(self.c1(image)), kernel_size=2, stride=2)
        x = F.max_pool2d(F.relu(self.c3(x)), kernel_size=2, stride=2)
        x = torch.flatten(x, 1)
        x = F.relu(self.f5(x))
        x = F.relu(self.f6(x))
        return self.logits(x)


def main():
    args = parity_common.parse_args(__doc__)
    torch.manual_seed(args.seed)
    model = LeNet5()
    image = torch.randn(1, 1, 28, 28)
    return parity_common.check_parity(args, model, image, "lenet5.cnn",
                                      input_name="image", output_name="logits",
                                      levels=[0, 2])


if __name__ == "__main__":
    sys.exit(main())
