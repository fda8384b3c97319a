//===- CnnDialect.td - the cnn dialect ---------------------*- tablegen -*-===//
//
// The `cnn` dialect models a convolutional network at the level a user writes
// it: NCHW tensors, PyTorch semantics, one op per layer kind.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_DIALECT_TD
#define CNN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Cnn_Dialect : Dialect {
  let name = "cnn";
  let cppNamespace = "::cnn";
  let summary = "Convolutional network layers with PyTorch (NCHW) semantics";
  let description = [{
    Every op works on ranked `f32` tensors with static shapes. Activations are
    NCHW and weights use PyTorch's layouts (`conv2d`: FCHW, `dense`: [out, in]),
    so a PyTorch `state_dict` maps onto the weights one to one. Weights are
    `cnn.weight` constants that carry their hierarchical name.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
  let useDefaultAttributePrinterParser = 1;
}

#endif // CNN_DIALECT_TD
