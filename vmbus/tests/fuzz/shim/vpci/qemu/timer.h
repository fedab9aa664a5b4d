/*
 * see qemu/osdep.h in this directory: a timer the harness fires by hand
 * (fuzz_fire_timer in fuzz_vpci_msg.c) between passes of the main loop
 */
#ifndef FUZZ_SHIM_QEMU_TIMER_H
#define FUZZ_SHIM_QEMU_TIMER_H
#include "qemu/osdep.h"

typedef void QEMUTimerCB(void *opaque);
struct QEMUTimer {
    QEMUTimerCB *cb;
    void *opaque;
    bool armed;
};
#define QEMU_CLOCK_VIRTUAL 1

static inline QEMUTimer *timer_new_ms(int clock, QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *t = g_new0(QEMUTimer, 1);

    t->cb = cb;
    t->opaque = opaque;
    return t;
}

static inline void timer_mod(QEMUTimer *t, int64_t expire)
{
    t->armed = true;
}

static inline void timer_del(QEMUTimer *t)
{
    t->armed = false;
}

static inline void timer_free(QEMUTimer *t)
{
    g_free(t);
}

static inline int64_t qemu_clock_get_ms(int clock)
{
    return 0;
}
#endif
