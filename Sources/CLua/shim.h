// Lua 5.4 for Swift: Debian's liblua5.4-dev, not vendored.
//
// Two jobs. First, Lua's function-like macros (lua_pop, lua_pcall, lua_upvalueindex, ...) and the
// variadic functions are not imported by Swift, so they are re-declared as `static inline` functions.
// Second, Lua raises errors and yields with longjmp. A longjmp across a Swift frame skips its
// `defer`s and leaks its objects, so Swift code never calls lua_error, luaL_error or lua_yieldk:
// a Swift host function returns a code (CLUA_RAISE / CLUA_YIELD) and the C trampoline below,
// whose frame is the only one the longjmp crosses, raises or yields after Swift has returned.
#ifndef FLOW_CLUA_SHIM_H
#define FLOW_CLUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// ---- macros as functions -------------------------------------------------------------------

static const int CLUA_REGISTRYINDEX = LUA_REGISTRYINDEX;
static const int CLUA_MULTRET = LUA_MULTRET;
static const lua_Integer CLUA_RIDX_GLOBALS = LUA_RIDX_GLOBALS;
static const lua_Integer CLUA_RIDX_MAINTHREAD = LUA_RIDX_MAINTHREAD;

static inline int clua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void clua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void clua_newtable(lua_State *L) { lua_newtable(L); }
static inline void clua_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }
static inline int clua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline void clua_call(lua_State *L, int nargs, int nresults) { lua_call(L, nargs, nresults); }
static inline const char *clua_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline lua_Number clua_tonumber(lua_State *L, int i) { return lua_tonumber(L, i); }
static inline lua_Integer clua_tointeger(lua_State *L, int i) { return lua_tointeger(L, i); }
static inline int clua_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline int clua_istable(lua_State *L, int i) { return lua_istable(L, i); }
static inline int clua_isfunction(lua_State *L, int i) { return lua_isfunction(L, i); }
static inline void clua_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void clua_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void clua_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline void clua_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline void *clua_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 1); }
static inline int clua_getmetatable_named(lua_State *L, const char *name) { return luaL_getmetatable(L, name); }
static inline const char *clua_typename_at(lua_State *L, int i) { return luaL_typename(L, i); }
static inline int clua_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name, const char *mode) {
    return luaL_loadbufferx(L, buf, size, name, mode);
}
static inline void clua_pushlstring(lua_State *L, const void *s, size_t len) { lua_pushlstring(L, (const char *)s, len); }
// lua_gc is variadic; these are the forms flow uses.
static inline int clua_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT, 0); }
static inline int clua_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT, 0); }
// "chunk:line:" of the function at `level` (1 = the Lua function that called the host function).
static inline void clua_where(lua_State *L, int level) { luaL_where(L, level); }
static inline void clua_traceback(lua_State *L, lua_State *L1, const char *msg, int level) {
    luaL_traceback(L, L1, msg, level);
}

// ---- the trampoline -------------------------------------------------------------------------

// Return codes of a Swift host function, beyond a non-negative count of results.
#define CLUA_RAISE (-1)  // the error value is on top of the stack: raise it
#define CLUA_YIELD (-2)  // yield the values pushed by the host; on resume, clua_resume_k runs
static const int CLUA_RAISE_CODE = CLUA_RAISE;
static const int CLUA_YIELD_CODE = CLUA_YIELD;

typedef int (*clua_HostFunction)(lua_State *L);

// A resumed host yield gets (ok, value...) from the runner; ok == false means raise `value`.
static inline int clua_resume_k(lua_State *L, int status, lua_KContext ctx) {
    (void)status;
    int base = (int)ctx;
    int n = lua_gettop(L) - base;
    if (n >= 1 && !lua_toboolean(L, base + 1)) {
        lua_settop(L, base + 2);
        return lua_error(L);
    }
    return n > 0 ? n - 1 : 0;
}

// Upvalue 1: light userdata holding the Swift host function (a @convention(c) pointer);
// the rest of the upvalues belong to the host function. The host may push values and then
// return CLUA_YIELD with the number of yielded values stored at *clua_yield_count(L).
static inline int clua_trampoline(lua_State *L) {
    clua_HostFunction fn = (clua_HostFunction)lua_touserdata(L, lua_upvalueindex(1));
    int base = lua_gettop(L);
    int r = fn(L);
    if (r == CLUA_RAISE) return lua_error(L);
    if (r == CLUA_YIELD) {
        // The yielded values are everything the host pushed above its arguments.
        int nyield = lua_gettop(L) - base;
        // clua_resume_k sees the resumed values above the arguments and yielded values are gone.
        return lua_yieldk(L, nyield, (lua_KContext)base, clua_resume_k);
    }
    return r;
}

static inline void clua_pushhost(lua_State *L, clua_HostFunction fn, int nup) {
    // the host's own upvalues are on the stack; slot the function pointer under them.
    lua_pushlightuserdata(L, (void *)fn);
    lua_insert(L, -(nup + 1));
    lua_pushcclosure(L, clua_trampoline, nup + 1);
}

// ---- limits: memory cap and instruction budget, enforced in C so no Swift frame is crossed ----

typedef struct clua_Limits {
    size_t used;            // bytes currently allocated
    size_t cap;             // 0 = unlimited
    size_t peak;
    long long budget;       // instructions left (counted per hook period); < 0 = unlimited
    long long executed;     // instructions run, in units of the hook period
    int period;             // hook every `period` instructions
    double deadline;        // CLOCK_MONOTONIC seconds; 0 = none
    int tripped;            // 1 = memory, 2 = instructions, 3 = deadline
} clua_Limits;

static inline void *clua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_Limits *lim = (clua_Limits *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        lim->used -= old;
        free(ptr);
        return NULL;
    }
    if (lim->cap && nsize > old && lim->used - old + nsize > lim->cap) {
        lim->tripped = 1;
        return NULL;  // Lua raises LUA_ERRMEM; the host turns it into a clear message
    }
    void *p = realloc(ptr, nsize);
    if (p == NULL) return NULL;
    lim->used = lim->used - old + nsize;
    if (lim->used > lim->peak) lim->peak = lim->used;
    return p;
}

static inline double clua_monotonic_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline clua_Limits *clua_limits_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (clua_Limits *)ud;
}

// A tripped memory or instruction limit ends the script: the hook yields straight to the host,
// which pcall cannot intercept, so `while true do pcall(f) end` cannot outlive its limit. Where the
// running code cannot yield (inside a C boundary) it raises instead, and the host still sees
// `tripped`. A deadline (a step's timeout) is an ordinary, catchable error.
static inline void clua_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clua_Limits *lim = clua_limits_of(L);
    lim->executed += 1;
    if (lim->budget >= 0) {
        lim->budget -= lim->period;
        if (lim->budget < 0 && lim->tripped == 0) lim->tripped = 2;
    }
    if (lim->tripped == 1 || lim->tripped == 2) {
        if (lua_isyieldable(L)) {
            lua_yield(L, 0);
            return;
        }
        luaL_error(L, lim->tripped == 1 ? "memory limit exceeded" : "instruction limit exceeded");
        return;
    }
    if (lim->deadline > 0 && clua_monotonic_now() > lim->deadline) {
        luaL_error(L, "timed out");
    }
}

static inline lua_State *clua_newstate(clua_Limits *lim) {
    lua_State *L = lua_newstate(clua_alloc, lim);
    return L;
}

// collectgarbage for sandboxed scripts. A collection is work no instruction counts (the count
// hook sees only VM instructions), so a loop of them would outlive the instruction limit: each
// call is charged to the budget, a full collection by the heap's size (an instruction per 16
// bytes), a step as 10,000 instructions, and the size argument of "step" is ignored (a huge one
// is a full collection). A spent budget ends the script as the hook does; a deadline is checked.
static inline int clua_sandbox_gc(lua_State *L) {
    const char *opt = luaL_optstring(L, 1, "collect");
    clua_Limits *lim = clua_limits_of(L);
    if (strcmp(opt, "count") == 0) {
        int kb = lua_gc(L, LUA_GCCOUNT, 0);
        int b = lua_gc(L, LUA_GCCOUNTB, 0);
        lua_pushnumber(L, (lua_Number)kb + (lua_Number)b / 1024);
        return 1;
    }
    int step = strcmp(opt, "step") == 0;
    long long cost = step ? 10000 : (long long)(lim->used / 16);
    if (cost < 10000) cost = 10000;
    if (lim->budget >= 0) {
        lim->budget -= cost;
        if (lim->budget < 0 && lim->tripped == 0) lim->tripped = 2;
    }
    if (lim->tripped == 1 || lim->tripped == 2) {
        if (lua_isyieldable(L)) return lua_yield(L, 0);
        return luaL_error(L, lim->tripped == 1 ? "memory limit exceeded" : "instruction limit exceeded");
    }
    if (lim->deadline > 0 && clua_monotonic_now() > lim->deadline) return luaL_error(L, "timed out");
    if (step) {
        lua_pushboolean(L, lua_gc(L, LUA_GCSTEP, 0));
    } else {
        lua_gc(L, LUA_GCCOLLECT, 0);
        lua_pushinteger(L, 0);
    }
    return 1;
}

static inline void clua_push_sandbox_gc(lua_State *L) { lua_pushcfunction(L, clua_sandbox_gc); }

// Installs the count hook on a thread (hooks are per thread in Lua 5.4).
static inline void clua_sethook(lua_State *L, int period) {
    lua_sethook(L, clua_count_hook, LUA_MASKCOUNT, period);
}

// string.find, match, gmatch and gsub with a bounded cost, for the sandbox.
#include "patterns.h"

#endif
