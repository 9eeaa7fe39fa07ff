{
  "targets": [
    {
      "target_name": "archc_native",
      "sources": ["src/addon.cc", "src/engine.cc", "src/conv.cc", "src/matmul.cc", "src/pool.cc", "src/batch_norm.cc", "src/elementwise.cc", "src/lstm.cc", "src/xent.cc", "src/optim.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      # -fno-trapping-math: nothing here reads floating-point exception flags, and without it GCC will not
      # vectorise a select on a comparison (the fused ReLU gradient in batch_norm.cc ran scalar, 5x slower). It
      # changes no result: no reassociation, no contraction, IEEE rounding as before (the bit-exact tests hold).
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions", "-fno-trapping-math"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
