// fmt's compiled part (its non-template functions and the templates format.h declares but does not define),
// once for every program. Debian 12 ships fmt 9.1 as headers and a shared library only, and pgentry is a
// static program; with FMT_HEADER_ONLY instead, every file that formats compiled all of this again, 4 s each
// at -O3 (23 files, on each of CI's four builds).
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl<char>(locale_ref) -> char;
template FMT_API auto dragonbox::to_decimal<float>(float) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal<double>(double) noexcept -> dragonbox::decimal_fp<double>;
template FMT_API locale_ref::locale_ref(const std::locale&);
template FMT_API auto locale_ref::get<std::locale>() const -> std::locale;

}  // namespace detail
FMT_END_NAMESPACE
