/*
 * adkcd: UTF-8, as RFC 3629 defines it (no overlong form, no surrogate,
 * nothing above U+10FFFF).  The one check that every reader of outside
 * text uses: the state file's parser, the account-name check, and the
 * escaping of text and JSON output.
 */
#ifndef ADKCD_UTF8_H
#define ADKCD_UTF8_H

#include <stddef.h>

/*
 * The length (1 to 4) of the well-formed UTF-8 sequence at s, of which
 * avail bytes may be read, or 0 when s does not start one (a NUL byte is a
 * sequence of 1).  Reads each continuation byte only after the one before
 * it was one, so a NUL-terminated string may be given avail SIZE_MAX.
 */
size_t
adkcd_utf8_len(const unsigned char *s, size_t avail);

#endif /* ADKCD_UTF8_H */
