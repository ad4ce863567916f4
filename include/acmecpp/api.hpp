// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// ACMECPP_API marks what libacmecpp exports: every class, struct and function declared in
/// include/acmecpp/. The library is compiled with -fvisibility=hidden, so a shared libacmecpp
/// exports these and nothing of its internals (tests/unit/test_exported_symbols.cpp checks it).

#if defined(__GNUC__)
/// Exported from a shared libacmecpp (default visibility); nothing for a static one to do.
#define ACMECPP_API __attribute__((visibility("default")))
#else
#define ACMECPP_API
#endif
