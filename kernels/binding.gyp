{
  "variables": {
    "onnxflow_x86%": "<!(node -p \"['x64','ia32'].includes(process.arch) ? 1 : 0\")"
  },
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
    "cflags": ["-O3", "-fPIC"],
    "cflags_cc": ["-std=c++17", "-fexceptions"],
    "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "GCC_OPTIMIZATION_LEVEL": "3"
    },
    "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } },
    "conditions": [["onnxflow_x86==1", { "defines": ["ONNXFLOW_X86"] }]]
  },
  "targets": [
    {
      "target_name": "onnxflow_native",
      "sources": [
        "addon.cc",
        "cpu/gemm.cc",
        "cpu/gemm_scalar.cc",
        "cpu/vec_scalar.cc",
        "cpu/ops.cc",
        "cpu/conv.cc",
        "cpu/winograd.cc",
        "cpu/attention.cc",
        "cpu/pool.cc",
        "runtime/thread_pool.cc",
        "runtime/buffer_pool.cc"
      ],
      "conditions": [
        ["onnxflow_x86==1", {
          "sources": ["arch/x86/cpu_features.cc"],
          "dependencies": ["onnxflow_avx2", "onnxflow_avx512"]
        }, {
          "sources": ["runtime/cpu_features_generic.cc"]
        }],
        ["OS!='win'", { "libraries": ["-lpthread"] }]
      ]
    }
  ],
  "conditions": [
    ["onnxflow_x86==1", {
      "targets": [
        {
          "target_name": "onnxflow_avx2",
          "type": "static_library",
          "sources": ["arch/x86/gemm_avx2.cc", "arch/x86/peak_avx2.cc", "arch/x86/vec_avx2.cc"],
          "cflags": ["-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CFLAGS": ["-mavx2", "-mfma"] },
          "msvs_settings": { "VCCLCompilerTool": { "EnableEnhancedInstructionSet": 5 } }
        },
        {
          "target_name": "onnxflow_avx512",
          "type": "static_library",
          "sources": ["arch/x86/gemm_avx512.cc", "arch/x86/peak_avx512.cc"],
          "cflags": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mfma"],
          "xcode_settings": { "OTHER_CFLAGS": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mfma"] },
          "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512"] } }
        }
      ]
    }]
  ]
}
