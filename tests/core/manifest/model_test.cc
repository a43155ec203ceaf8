#include "core/manifest/model.h"

#include <doctest/doctest.h>

using daybook::manifest::Quantity;

TEST_CASE("quantities: percentages round up, counts are capped") {
  Quantity quarter{Quantity::Kind::kPercent, 25};
  CHECK(quarter.Of(8) == 2);
  CHECK(quarter.Of(9) == 3);
  CHECK(quarter.Of(1) == 1);
  CHECK(quarter.Of(0) == 0);
  Quantity none{Quantity::Kind::kPercent, 0};
  CHECK(none.Of(100) == 0);
  Quantity two{Quantity::Kind::kCount, 2};
  CHECK(two.Of(8) == 2);
  CHECK(two.Of(1) == 1);
  CHECK(quarter.ToString() == "25%");
  CHECK(two.ToString() == "2");
}
