// Where lines and "--" comments end: at an LF, a CRLF or a lone CR, as PostgreSQL's lexer and libpq see them.
#include "migrations/lines.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace pgentry::migrations {
namespace {

TEST(Lines, CommentEndsAtCrOrLf) {
    EXPECT_EQ(comment_end("-- a\nb", 0), 4u);
    EXPECT_EQ(comment_end("-- a\rb", 0), 4u);
    EXPECT_EQ(comment_end("-- a\r\nb", 0), 4u);
    EXPECT_EQ(comment_end("x -- a", 2), 6u);  // the end of the text
}

TEST(Lines, LoneCrIsNotTheCrOfACrlf) {
    EXPECT_TRUE(is_lone_cr("a\rb", 1));
    EXPECT_TRUE(is_lone_cr("a\r", 1));
    EXPECT_FALSE(is_lone_cr("a\r\nb", 1));
    EXPECT_FALSE(is_lone_cr("a\nb", 1));
}

TEST(Lines, LineAt) {
    EXPECT_EQ(line_at("", 0), 1);
    EXPECT_EQ(line_at("a\nb\nc", 0), 1);
    EXPECT_EQ(line_at("a\nb\nc", 1), 1);  // the '\n' itself is still on line 1
    EXPECT_EQ(line_at("a\nb\nc", 2), 2);
    EXPECT_EQ(line_at("a\nb\nc", 4), 3);
    EXPECT_EQ(line_at("a\nb\n", 100), 3);  // past the end: the line after the last newline
}

TEST(Lines, LineAtCountsLoneCrsAndCrlfOnce) {
    const std::string_view text = "a\rb\r\nc\nd\r";
    EXPECT_EQ(line_at(text, 2), 2);  // b
    EXPECT_EQ(line_at(text, 4), 2);  // the LF of b's CRLF
    EXPECT_EQ(line_at(text, 5), 3);  // c
    EXPECT_EQ(line_at(text, 7), 4);  // d
    EXPECT_EQ(line_at(text, text.size()), 5);
    EXPECT_EQ(line_at("a\r\r\nb", 4), 3);  // CR CR LF: a lone CR, then a CRLF
}

TEST(Lines, LineBeginIsAfterTheLastLineEnd) {
    const std::string_view text = "ab\rcd\r\nef\ngh";
    EXPECT_EQ(line_begin(text, 0), 0u);
    EXPECT_EQ(line_begin(text, 1), 0u);
    EXPECT_EQ(line_begin(text, 4), 3u);
    EXPECT_EQ(line_begin(text, 8), 7u);
    EXPECT_EQ(line_begin(text, 11), 10u);
}

TEST(Lines, LineCounterAgreesWithLineAtAndLineBeginAndACopyGoesOn) {
    const std::string_view text = "ab\rcd\r\nef\n\ngh\r\r\nij";
    LineCounter counter(text);
    for (std::size_t offset = 0; offset <= text.size() + 1; ++offset) {
        LineCounter copy = counter;
        const auto [line, begin] = counter.at(offset);
        EXPECT_EQ(line, line_at(text, offset)) << offset;
        EXPECT_EQ(begin, line_begin(text, std::min(offset, text.size()))) << offset;
        EXPECT_EQ(copy.at(text.size()).line, line_at(text, text.size())) << "a copy made at " << offset;
    }
}

TEST(Lines, LineFromStopsAtEachKindOfLineEnd) {
    const std::string_view text = "ab\rcd\r\nef\ngh";
    const Line first = line_from(text, 0);
    EXPECT_EQ(first.text, "ab");
    EXPECT_EQ(first.next, 3u);
    const Line second = line_from(text, first.next);
    EXPECT_EQ(second.text, "cd");
    EXPECT_EQ(second.next, 7u);
    const Line third = line_from(text, second.next);
    EXPECT_EQ(third.text, "ef");
    EXPECT_EQ(third.next, 10u);
    const Line last = line_from(text, third.next);
    EXPECT_EQ(last.text, "gh");
    EXPECT_EQ(last.next, text.size());
}

TEST(Lines, LineBeforeGoesBackOneLine) {
    const std::string_view text = "ab\rcd\r\nef\ngh";
    EXPECT_EQ(line_before(text, 10), "ef");
    EXPECT_EQ(line_before(text, 7), "cd");
    EXPECT_EQ(line_before(text, 3), "ab");
    EXPECT_EQ(line_before("\n\nx", 2), "");
}

}  // namespace
}  // namespace pgentry::migrations
