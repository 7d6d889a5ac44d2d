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

/*
 * The one rule for showing outside text (a DN, a name, a server's
 * message) to a person: one step of it.  The text at s (NUL-terminated,
 * *s not NUL) is shown as out (NUL-terminated, at most 8 characters):
 * a control byte (C0 with newline and tab, DEL), a C1 control (U+0080 to
 * U+009F, CSI among them) and a byte that is not UTF-8 (a lone 0x9b is CSI
 * to a terminal that is not in UTF-8) as \xNN, anything else as it is.
 * Returns the bytes of s consumed (1 to 4).
 */
size_t
adkcd_text_show(const unsigned char *s, char out[9]);

#endif /* ADKCD_UTF8_H */
