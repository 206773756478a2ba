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
// The build does not notice edits to this file (shim.h includes it textually): touch
// Sources/FlowLua/LuaSandbox.swift after changing it, or the old code stays compiled in.
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

// ---- the library functions ----------------------------------------------------------------------

// A 1-based, possibly negative start as an offset from 0; may be past the end.
static inline size_t clua_pat_start(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos - 1;
    if (pos == 0) return 0;
    if (pos < -(lua_Integer)len) return 0;
    return (size_t)((lua_Integer)len + pos);
}

static inline int clua_pat_has_specials(const char *p, size_t lp) {
    for (size_t i = 0; i < lp; i++) {
        switch (p[i]) {
        case '^': case '$': case '*': case '+': case '?': case '.': case '(': case '[': case '%': case '-':
            return 1;
        default: break;
        }
    }
    return 0;
}

// The first needle in haystack, memchr for its first byte and memcmp for the rest, charged by
// the bytes passed over and the bytes compared (a long needle over a repetitive subject is
// quadratic).
static inline const char *clua_pat_plain(clua_Pattern *m, const char *h, size_t lh, const char *n, size_t ln) {
    if (ln == 0) return h;
    if (ln > lh) return NULL;
    const char *last = h + (lh - ln);  // the last place the needle fits
    const char *at = h;
    while (at <= last) {
        const char *hit = memchr(at, n[0], (size_t)(last - at) + 1);
        if (hit == NULL) {
            clua_pat_charge(m, 1 + (last - at) / 16);
            return NULL;
        }
        clua_pat_charge(m, 1 + (hit - at) / 16 + (long long)ln / 16);
        if (memcmp(hit + 1, n + 1, ln - 1) == 0) return hit;
        at = hit + 1;
    }
    return NULL;
}

static inline int clua_pat_find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t start = clua_pat_start(luaL_optinteger(L, 3, 1), ls);
    if (start > ls) {
        luaL_pushfail(L);
        return 1;
    }
    clua_Pattern m;
    clua_pat_begin(&m, L, s, ls, p, lp);
    if (find && (lua_toboolean(L, 4) || !clua_pat_has_specials(p, lp))) {
        const char *at = clua_pat_plain(&m, s + start, ls - start, p, lp);
        clua_pat_settle(&m);
        if (at == NULL) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)(at - s) + 1);
        lua_pushinteger(L, (lua_Integer)(at - s) + (lua_Integer)lp);
        return 2;
    }
    int anchored = lp > 0 && *p == '^';
    if (anchored) m.pattern++;
    const char *from = s + start;
    for (;;) {
        clua_pat_restart(&m);
        const char *e = clua_pat_match(&m, from, m.pattern);
        if (e != NULL) {
            clua_pat_settle(&m);
            if (!find) return clua_pat_push_captures(&m, from, e);
            lua_pushinteger(L, (lua_Integer)(from - s) + 1);
            lua_pushinteger(L, (lua_Integer)(e - s));
            return clua_pat_push_captures(&m, NULL, NULL) + 2;
        }
        if (anchored || from >= m.subject_end) break;
        from++;
    }
    clua_pat_settle(&m);
    luaL_pushfail(L);
    return 1;
}

static inline int clua_pat_find(lua_State *L) { return clua_pat_find_or_match(L, 1); }
static inline int clua_pat_matchfn(lua_State *L) { return clua_pat_find_or_match(L, 0); }

// gmatch's iterator. Upvalues: subject, pattern, and a full userdata holding where the next
// search starts and where the last match ended (-1: none), as offsets into the subject.
typedef struct clua_PatIteration {
    size_t next;
    ptrdiff_t last_end;
} clua_PatIteration;

static inline int clua_pat_gmatch_step(lua_State *L) {
    size_t ls, lp;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    clua_PatIteration *it = (clua_PatIteration *)lua_touserdata(L, lua_upvalueindex(3));
    clua_Pattern m;
    clua_pat_begin(&m, L, s, ls, p, lp);
    // '^' is not an anchor here (it would stop the iteration): it is matched as a character.
    for (size_t at = it->next; at <= ls; at++) {
        clua_pat_restart(&m);
        const char *e = clua_pat_match(&m, s + at, p);
        // An empty match where the last one ended is not a new match.
        if (e != NULL && (e - s) != it->last_end) {
            it->next = (size_t)(e - s);
            it->last_end = e - s;
            clua_pat_settle(&m);
            return clua_pat_push_captures(&m, s + at, e);
        }
    }
    it->next = ls + 1;
    clua_pat_settle(&m);
    return 0;
}

static inline int clua_pat_gmatch(lua_State *L) {
    size_t ls;
    luaL_checklstring(L, 1, &ls);
    luaL_checkstring(L, 2);
    size_t start = clua_pat_start(luaL_optinteger(L, 3, 1), ls);
    if (start > ls) start = ls + 1;  // past the end: the iteration yields nothing
    lua_settop(L, 2);
    clua_PatIteration *it = (clua_PatIteration *)lua_newuserdatauv(L, sizeof(clua_PatIteration), 0);
    it->next = start;
    it->last_end = -1;
    lua_pushcclosure(L, clua_pat_gmatch_step, 3);
    return 1;
}

// Capture i into the buffer, copied straight from the subject (no Lua string made for it).
static inline void clua_pat_add_capture(clua_Pattern *m, luaL_Buffer *b, int i, const char *s, const char *e) {
    if (i < m->ncaptures && m->captures[i].len >= 0) {
        luaL_addlstring(b, m->captures[i].start, (size_t)m->captures[i].len);
        return;
    }
    if (i >= m->ncaptures && i == 0) {
        luaL_addlstring(b, s, (size_t)(e - s));
        return;
    }
    clua_pat_push_capture(m, i, s, e);  // a position (a number), or the error for a bad index
    luaL_tolstring(m->L, -1, NULL);
    lua_remove(m->L, -2);
    luaL_addvalue(b);
}

// gsub's string replacement: %0-%9 and %%.
static inline void clua_pat_add_template(clua_Pattern *m, luaL_Buffer *b, const char *s, const char *e) {
    lua_State *L = m->L;
    size_t lt;
    const char *t = lua_tolstring(L, 3, &lt);
    const char *tend = t + lt;
    for (;;) {
        const char *pct = memchr(t, '%', (size_t)(tend - t));
        if (pct == NULL) break;
        luaL_addlstring(b, t, (size_t)(pct - t));
        t = pct + 1;
        if (t < tend && *t == '%') {
            luaL_addchar(b, '%');
        } else if (t < tend && isdigit((unsigned char)*t)) {
            if (*t == '0') {
                luaL_addlstring(b, s, (size_t)(e - s));
            } else {
                clua_pat_add_capture(m, b, *t - '1', s, e);
            }
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", '%');
        }
        t++;
    }
    luaL_addlstring(b, t, (size_t)(tend - t));
}

// Adds the replacement of match s..e; returns whether it differs from the match.
static inline int clua_pat_add_replacement(clua_Pattern *m, luaL_Buffer *b, const char *s, const char *e, int kind) {
    lua_State *L = m->L;
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = clua_pat_push_captures(m, s, e);
        lua_call(L, n, 1);
    } else if (kind == LUA_TTABLE) {
        clua_pat_push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    } else {
        clua_pat_add_template(m, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {  // nil or false: keep the match
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static inline int clua_pat_gsub(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int kind = lua_type(L, 3);
    lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE, 3,
                     "string/function/table");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    clua_Pattern m;
    clua_pat_begin(&m, L, s, ls, p, lp);
    int anchored = lp > 0 && *p == '^';
    if (anchored) m.pattern++;
    const char *at = s;
    const char *last_end = NULL;
    lua_Integer count = 0;
    int changed = 0;
    while (count < max) {
        clua_pat_restart(&m);
        const char *e = clua_pat_match(&m, at, m.pattern);
        if (e != NULL && e != last_end) {  // an empty match where the last one ended is no match
            count++;
            changed = clua_pat_add_replacement(&m, &b, at, e, kind) | changed;
            at = last_end = e;
        } else if (at < m.subject_end) {
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchored) break;
    }
    clua_pat_settle(&m);
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, at, (size_t)(m.subject_end - at));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, count);
    return 2;
}

// The four functions as a table {find, match, gmatch, gsub} for the sandbox to install.
static inline void clua_push_bounded_patterns(lua_State *L) {
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, clua_pat_find);
    lua_setfield(L, -2, "find");
    lua_pushcfunction(L, clua_pat_matchfn);
    lua_setfield(L, -2, "match");
    lua_pushcfunction(L, clua_pat_gmatch);
    lua_setfield(L, -2, "gmatch");
    lua_pushcfunction(L, clua_pat_gsub);
    lua_setfield(L, -2, "gsub");
}

#endif
