#include "core/manifest/model.h"

namespace daybook::manifest {

std::string_view ToString(PatchPolicy policy) {
  switch (policy) {
    case PatchPolicy::kSecurity: return "security";
    case PatchPolicy::kAll: return "all";
    case PatchPolicy::kNone: return "none";
  }
  return "?";
}

std::string_view ToString(RebootPolicy policy) {
  switch (policy) {
    case RebootPolicy::kNever: return "never";
    case RebootPolicy::kIfRequired: return "if-required";
    case RebootPolicy::kAlways: return "always";
  }
  return "?";
}

size_t Quantity::Of(size_t total) const {
  if (kind == Kind::kCount) return std::min(static_cast<size_t>(value), total);
  return (total * static_cast<size_t>(value) + 99) / 100;
}

std::string Quantity::ToString() const {
  return std::to_string(value) + (kind == Kind::kPercent ? "%" : "");
}

}  // namespace daybook::manifest
