// string.find, match, gmatch and gsub for sandboxed scripts, on the bounded matcher of
// patterns.h (which includes this file after its matcher; not to be included alone). Argument
// handling and results follow Lua 5.4's string library.
#ifndef FLOW_CLUA_PATTERN_FUNCTIONS_H
#define FLOW_CLUA_PATTERN_FUNCTIONS_H

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
