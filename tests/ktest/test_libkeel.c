/* libkeel's own pieces, checked where they run: formatted output, string
 * functions and the ABI word layouts (ABI 2.1-2.3). */
#include "ktest.h"
#include <keel/printf.h>
#include <keel/string.h>

#define EXPECT_FORMAT(expected, ...)                                                               \
    do {                                                                                           \
        char buf_[64];                                                                             \
        int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);                                        \
        if (strcmp(buf_, expected) != 0 || n_ != (int)strlen(expected)) {                          \
            KT_FAIL("%s gave \"%s\" (%d), expected \"%s\"", #__VA_ARGS__, buf_, n_, expected);     \
        }                                                                                          \
    } while (0)

static void test_snprintf_integers(void)
{
    EXPECT_FORMAT("-42 42 7", "%d %i %u", -42, 42, 7u);
    EXPECT_FORMAT("   42|42   |-0042", "%5d|%-5d|%05d", 42, 42, -42);
    EXPECT_FORMAT("beef BEEF 0xbeef", "%x %X %#x", 0xbeefu, 0xbeefu, 0xbeefu);
    EXPECT_FORMAT("00001234", "%08lx", 0x1234ul);
    EXPECT_FORMAT("-9223372036854775808", "%ld", (long)(-9223372036854775807L - 1));
    EXPECT_FORMAT("18446744073709551615", "%llu", 18446744073709551615ull);
    /* hh and h cut int arguments down; a format the compiler cannot see avoids
     * its (correct) warning about exactly that. */
    const char *volatile truncating = "%hhd %hu %u";
    EXPECT_FORMAT("44 4464 4294967295", truncating, 300, 70000, 4294967295u);
    EXPECT_FORMAT("123 -5", "%zu %td", (size_t)123, (ptrdiff_t)-5);
    EXPECT_FORMAT("  7", "%*d", 3, 7);
}

static void test_snprintf_strings(void)
{
    EXPECT_FORMAT("abc|ab|   ab|ab   |", "%s|%.2s|%5s|%-5s|", "abc", "abc", "ab", "ab");
    EXPECT_FORMAT("z % 0x1000", "%c %% %p", 'z', (void *)0x1000);
    EXPECT_FORMAT("(null)", "%s", (const char *)NULL);
    EXPECT_FORMAT("ab", "%.*s", 2, "abcdef");
}

static void test_snprintf_truncates(void)
{
    char buf[4] = "xxx";
    KT_ASSERT_EQ(snprintf(buf, sizeof(buf), "abcdef"), 6);
    KT_ASSERT(strcmp(buf, "abc") == 0);
    KT_ASSERT_EQ(snprintf(buf, 0, "abcdef"), 6);
    KT_ASSERT(strcmp(buf, "abc") == 0);
}

static void test_strings(void)
{
    char buf[16] = "0123456789";
    memmove(buf + 2, buf, 5);
    KT_ASSERT(strcmp(buf, "0101234789") == 0);
    memmove(buf, buf + 4, 4);
    KT_ASSERT(strcmp(buf, "2347234789") == 0);
    KT_ASSERT(memcmp("abc", "abd", 3) < 0);
    KT_ASSERT(strncmp("abcx", "abcy", 3) == 0);
    KT_ASSERT(strcmp("b", "a") > 0);
    KT_ASSERT(strchr("hello", 'l') != NULL && *strchr("hello", 'l') == 'l');
    KT_ASSERT(strchr("hello", 'z') == NULL);
    KT_ASSERT(strchr("hello", '\0') != NULL);
}

static void test_word_layouts(void)
{
    seL4_MessageInfo_t info = seL4_MessageInfo_new(0x12345, 5, 3, 120);
    KT_ASSERT_EQ(info.words[0], 0x12345ul << 12 | 5 << 9 | 3 << 7 | 120);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), 0x12345);
    KT_ASSERT_EQ(seL4_MessageInfo_get_capsUnwrapped(info), 5);
    KT_ASSERT_EQ(seL4_MessageInfo_get_extraCaps(info), 3);
    KT_ASSERT_EQ(seL4_MessageInfo_get_length(info), 120);
    info = seL4_MessageInfo_set_length(info, 7);
    KT_ASSERT_EQ(seL4_MessageInfo_get_length(info), 7);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(info), 0x12345);
    KT_ASSERT_EQ(seL4_AllRights.words[0], 0xf);
    KT_ASSERT_EQ(seL4_ReadWrite.words[0], 0x3);
    KT_ASSERT_EQ(seL4_NoWrite.words[0], 0xe);
    KT_ASSERT_EQ(seL4_NoRead.words[0], 0xd);
    KT_ASSERT_EQ(seL4_CanGrantReply.words[0], 0x8);
    KT_ASSERT_EQ(seL4_CNode_CapData_new(5, 51).words[0], 5ul << 6 | 51);
}

const ktest_case_t ktest_libkeel_cases[] = {
    { "libkeel.snprintf_integers", test_snprintf_integers },
    { "libkeel.snprintf_strings", test_snprintf_strings },
    { "libkeel.snprintf_truncates", test_snprintf_truncates },
    { "libkeel.strings", test_strings },
    { "libkeel.word_layouts", test_word_layouts },
    { NULL, NULL },
};
