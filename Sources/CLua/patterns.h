// Lua 5.4 patterns with a bounded cost, for sandboxed scripts: string.find, match, gmatch and
// gsub, written from the reference manual (§6.4, §6.4.1) and checked against the real library
// (Tests/FlowLuaTests/PatternTwinTests.swift). Lua's own matcher runs in C where the count hook
// never fires, and backtracking is polynomial to exponential in the subject, so one line such as
// ("a"):rep(400):find((".-"):rep(4) .. "b") ran for ever past every limit.
//
// Here every step (an entry into the matcher, a single-character test, a byte of a %b scan, 16
// bytes of a back-reference or of a plain search) is charged to the instruction budget of
// clua_Limits, settled every CLUA_PAT_CHUNK steps: a spent budget ends the script as the count
// hook does (yield when possible, else "instruction limit exceeded"), and a passed deadline
// raises "timed out".
//
// Results must be Lua's own, errors included, so the matcher keeps Lua's observable shape:
// malformed parts of a pattern are reported only when matching reaches them (("abc"):find("x[")
// is nil, ("x"):find("x[") an error), and the recursion depth that ends in "pattern too complex"
// grows at the same places (a capture's start or end, each try of an optional or repeated item).
// These are lua_CFunctions called straight from Lua: their longjmps cross no Swift frame.
//
// The build does not notice edits to this file or pattern_functions.h (shim.h includes them
// textually): touch Sources/FlowLua/LuaSandbox.swift after changing either, or the old code
// stays compiled in.
#ifndef FLOW_CLUA_PATTERNS_H
#define FLOW_CLUA_PATTERNS_H

#include <ctype.h>

#define CLUA_PAT_MAXCAPTURES 32  // Lua's LUA_MAXCAPTURES
#define CLUA_PAT_MAXDEPTH 200    // Lua's MAXCCALLS for patterns: deeper is "pattern too complex"
#define CLUA_PAT_CHUNK 4096      // steps between settling with the budget and the clock
#define CLUA_PAT_OPEN (-1)       // capture length while its ')' is not matched yet
#define CLUA_PAT_POSITION (-2)   // capture length of a position capture "()"
// Debug builds compile this header at -O0, where nothing is inlined unless forced: the helpers
// run for every character, so they are forced (keeps a debug build within ~2x of Lua's -O2).
#define CLUA_PAT_HOT static inline __attribute__((always_inline))

typedef struct clua_PatCapture {
    const char *start;
    ptrdiff_t len;  // >= 0, or CLUA_PAT_OPEN / CLUA_PAT_POSITION
} clua_PatCapture;

typedef struct clua_Pattern {
    lua_State *L;
    clua_Limits *lim;
    const char *subject, *subject_end;
    const char *pattern, *pattern_end;
    long long countdown;  // steps left before the next settling
    int depth_left;
    int ncaptures;
    clua_PatCapture captures[CLUA_PAT_MAXCAPTURES];
} clua_Pattern;

// ---- cost ----------------------------------------------------------------------------------

// Charges the steps taken since the last settling; ends the script once the budget is spent or
// the deadline has passed. Also called when a top-level call ends, so short calls pay too.
static inline void clua_pat_settle(clua_Pattern *m) {
    long long used = CLUA_PAT_CHUNK - m->countdown;
    m->countdown = CLUA_PAT_CHUNK;
    clua_Limits *lim = m->lim;
    if (lim->budget >= 0 && used > 0) {
        lim->budget -= used;
        if (lim->budget < 0 && lim->tripped == 0) lim->tripped = 2;
    }
    if (lim->tripped == 1 || lim->tripped == 2) {
        lua_State *L = m->L;
        if (lua_isyieldable(L)) {
            lua_yield(L, 0);  // from a C function this unwinds at once (Lua throws LUA_YIELD)
            return;
        }
        luaL_error(L, lim->tripped == 1 ? "memory limit exceeded" : "instruction limit exceeded");
        return;
    }
    if (lim->deadline > 0 && clua_monotonic_now() > lim->deadline) luaL_error(m->L, "timed out");
}

CLUA_PAT_HOT void clua_pat_charge(clua_Pattern *m, long long steps) {
    m->countdown -= steps;
    if (m->countdown <= 0) clua_pat_settle(m);
}

static inline void clua_pat_begin(clua_Pattern *m, lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    m->L = L;
    m->lim = clua_limits_of(L);  // every state is made by clua_newstate (LuaState)
    m->subject = s;
    m->subject_end = s + ls;
    m->pattern = p;
    m->pattern_end = p + lp;
    m->countdown = CLUA_PAT_CHUNK;
    m->depth_left = CLUA_PAT_MAXDEPTH;
    m->ncaptures = 0;
}

// A fresh attempt at another position of the subject.
static inline void clua_pat_restart(clua_Pattern *m) {
    m->depth_left = CLUA_PAT_MAXDEPTH;
    m->ncaptures = 0;
}

// ---- single characters ------------------------------------------------------------------------

// Whether byte c is in class %letter (upper case: the complement). A letter that names no
// class, or any other character, stands for itself.
CLUA_PAT_HOT int clua_pat_class(int c, int letter) {
    int in;
    switch (tolower(letter)) {
    case 'a': in = isalpha(c); break;
    case 'c': in = iscntrl(c); break;
    case 'd': in = isdigit(c); break;
    case 'g': in = isgraph(c); break;
    case 'l': in = islower(c); break;
    case 'p': in = ispunct(c); break;
    case 's': in = isspace(c); break;
    case 'u': in = isupper(c); break;
    case 'w': in = isalnum(c); break;
    case 'x': in = isxdigit(c); break;
    case 'z': in = c == 0; break;  // deprecated in 5.2 but still honoured by 5.4
    default: return letter == c;
    }
    in = in != 0;
    return isupper(letter) ? !in : in;
}

// Whether byte c is in the set that opens at `open` ('[') and closes at `close` (its ']').
CLUA_PAT_HOT int clua_pat_in_set(int c, const char *open, const char *close) {
    const char *q = open + 1;
    int found = 1;
    if (*q == '^') {
        found = 0;
        q++;
    }
    for (; q < close; q++) {
        if (*q == '%') {
            q++;
            if (clua_pat_class(c, (unsigned char)*q)) return found;
        } else if (q + 2 < close && q[1] == '-') {
            if ((unsigned char)q[0] <= c && c <= (unsigned char)q[2]) return found;
            q += 2;
        } else if ((unsigned char)*q == c) {
            return found;
        }
    }
    return !found;
}

// The end of the single-character class that starts at p (p < pattern_end).
CLUA_PAT_HOT const char *clua_pat_item_end(clua_Pattern *m, const char *p) {
    const char *end = m->pattern_end;
    char c = *p++;
    if (c == '%') {
        if (p >= end) luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c != '[') return p;
    if (p < end && *p == '^') p++;
    // The first member may be ']' itself; '%' escapes the byte after it.
    do {
        if (p >= end) luaL_error(m->L, "malformed pattern (missing ']')");
        c = *p++;
        if (c == '%' && p < end) p++;
    } while (p >= end || *p != ']');
    return p + 1;
}

// Whether the subject byte at s matches the class p..ep. One step.
CLUA_PAT_HOT int clua_pat_single(clua_Pattern *m, const char *s, const char *p, const char *ep) {
    if (--m->countdown <= 0) clua_pat_settle(m);
    if (s >= m->subject_end) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case '%': return clua_pat_class(c, (unsigned char)p[1]);
    case '[': return clua_pat_in_set(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

// ---- the matcher ----------------------------------------------------------------------------

static inline const char *clua_pat_match(clua_Pattern *m, const char *s, const char *p);

static inline const char *clua_pat_open_capture(clua_Pattern *m, const char *s, const char *p, ptrdiff_t kind) {
    if (m->ncaptures >= CLUA_PAT_MAXCAPTURES) luaL_error(m->L, "too many captures");
    m->captures[m->ncaptures].start = s;
    m->captures[m->ncaptures].len = kind;
    m->ncaptures++;
    const char *r = clua_pat_match(m, s, p);
    if (r == NULL) m->ncaptures--;
    return r;
}

static inline const char *clua_pat_close_capture(clua_Pattern *m, const char *s, const char *p) {
    int i = m->ncaptures - 1;
    while (i >= 0 && m->captures[i].len != CLUA_PAT_OPEN) i--;
    if (i < 0) luaL_error(m->L, "invalid pattern capture");
    m->captures[i].len = s - m->captures[i].start;
    const char *r = clua_pat_match(m, s, p);
    if (r == NULL) m->captures[i].len = CLUA_PAT_OPEN;
    return r;
}

// %bxy at s, where p points at x.
static inline const char *clua_pat_balance(clua_Pattern *m, const char *s, const char *p) {
    if (p + 1 >= m->pattern_end) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->subject_end || *s != p[0]) return NULL;
    char open = p[0], close = p[1];
    int depth = 1;
    while (++s < m->subject_end) {
        if (--m->countdown <= 0) clua_pat_settle(m);
        if (*s == close) {
            if (--depth == 0) return s + 1;
        } else if (*s == open) {
            depth++;
        }
    }
    return NULL;
}

// %1-%9 (and %0, an error): the same bytes as a closed capture.
static inline const char *clua_pat_backref(clua_Pattern *m, const char *s, char digit) {
    int i = digit - '1';
    if (i < 0 || i >= m->ncaptures || m->captures[i].len == CLUA_PAT_OPEN)
        luaL_error(m->L, "invalid capture index %%%d", i + 1);
    ptrdiff_t len = m->captures[i].len;
    if (len < 0) return NULL;  // a position capture holds no bytes to repeat: Lua never matches it
    clua_pat_charge(m, 1 + len / 16);
    if (m->subject_end - s >= len && memcmp(m->captures[i].start, s, (size_t)len) == 0) return s + len;
    return NULL;
}

// x* (and x+ after its first x): as many as possible, then give them back one at a time.
static inline const char *clua_pat_greedy(clua_Pattern *m, const char *s, const char *p, const char *ep) {
    ptrdiff_t n = 0;
    while (clua_pat_single(m, s + n, p, ep)) n++;
    for (;;) {
        const char *r = clua_pat_match(m, s + n, ep + 1);
        if (r != NULL) return r;
        if (n == 0) return NULL;
        n--;
    }
}

// x-: as few as possible, one more each time the rest fails.
static inline const char *clua_pat_lazy(clua_Pattern *m, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *r = clua_pat_match(m, s, ep + 1);
        if (r != NULL) return r;
        if (!clua_pat_single(m, s, p, ep)) return NULL;
        s++;
    }
}

// Matches pattern p..pattern_end at s: the end of the match, or NULL.
static inline const char *clua_pat_match_rest(clua_Pattern *m, const char *s, const char *p) {
    const char *end = m->pattern_end;
    for (;;) {
        if (p == end) return s;
        switch (*p) {
        case '(':
            if (p + 1 < end && p[1] == ')') return clua_pat_open_capture(m, s, p + 2, CLUA_PAT_POSITION);
            return clua_pat_open_capture(m, s, p + 1, CLUA_PAT_OPEN);
        case ')':
            return clua_pat_close_capture(m, s, p + 1);
        case '$':
            if (p + 1 == end) return s == m->subject_end ? s : NULL;
            break;  // '$' elsewhere is an ordinary character
        case '%':
            if (p + 1 == end) break;  // reported by clua_pat_item_end
            if (p[1] == 'b') {
                s = clua_pat_balance(m, s, p + 2);
                if (s == NULL) return NULL;
                p += 4;
                continue;
            }
            if (p[1] == 'f') {
                p += 2;
                if (p == end || *p != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
                const char *ep = clua_pat_item_end(m, p);
                int before = s == m->subject ? 0 : (unsigned char)s[-1];
                int here = s < m->subject_end ? (unsigned char)*s : 0;
                if (--m->countdown <= 0) clua_pat_settle(m);
                if (clua_pat_in_set(before, p, ep - 1) || !clua_pat_in_set(here, p, ep - 1)) return NULL;
                p = ep;
                continue;
            }
            if (p[1] >= '0' && p[1] <= '9') {
                s = clua_pat_backref(m, s, p[1]);
                if (s == NULL) return NULL;
                p += 2;
                continue;
            }
            break;
        default:
            break;
        }
        const char *ep = clua_pat_item_end(m, p);
        char quantifier = ep < end ? *ep : '\0';
        if (!clua_pat_single(m, s, p, ep)) {
            // Zero of an item is fine for *, ? and -; anything else fails here.
            if (quantifier == '*' || quantifier == '?' || quantifier == '-') {
                p = ep + 1;
                continue;
            }
            return NULL;
        }
        switch (quantifier) {
        case '?': {
            const char *r = clua_pat_match(m, s + 1, ep + 1);
            if (r != NULL) return r;
            p = ep + 1;
            continue;
        }
        case '+': return clua_pat_greedy(m, s + 1, p, ep);
        case '*': return clua_pat_greedy(m, s, p, ep);
        case '-': return clua_pat_lazy(m, s, p, ep);
        default:
            s++;
            p = ep;
            continue;
        }
    }
}

static inline const char *clua_pat_match(clua_Pattern *m, const char *s, const char *p) {
    if (m->depth_left-- == 0) luaL_error(m->L, "pattern too complex");
    if (--m->countdown <= 0) clua_pat_settle(m);
    const char *r = clua_pat_match_rest(m, s, p);
    m->depth_left++;
    return r;
}

// ---- captures to Lua values -------------------------------------------------------------------

// Capture i of the match s..e (capture 0 is the whole match when the pattern has none).
static inline void clua_pat_push_capture(clua_Pattern *m, int i, const char *s, const char *e) {
    if (i >= m->ncaptures) {
        if (i != 0) luaL_error(m->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(m->L, s, (size_t)(e - s));
        return;
    }
    clua_PatCapture c = m->captures[i];
    if (c.len == CLUA_PAT_OPEN) luaL_error(m->L, "unfinished capture");
    if (c.len == CLUA_PAT_POSITION) {
        lua_pushinteger(m->L, (lua_Integer)(c.start - m->subject) + 1);
    } else {
        lua_pushlstring(m->L, c.start, (size_t)c.len);
    }
}

// Every capture, or the whole match when there is none and s is given (find passes NULL).
static inline int clua_pat_push_captures(clua_Pattern *m, const char *s, const char *e) {
    int n = (m->ncaptures == 0 && s != NULL) ? 1 : m->ncaptures;
    luaL_checkstack(m->L, n, "too many captures");
    for (int i = 0; i < n; i++) clua_pat_push_capture(m, i, s, e);
    return n;
}

// The four library functions built on the matcher.
#include "pattern_functions.h"

#endif
