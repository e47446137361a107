"""The standard 2D optimization test functions as Surfaces, with every local minimum in the domain.

Minima of the non-lattice functions are literals verified numerically (Newton-refined from a dense
grid; see tests/landscape). Functions with a lattice of local minima (Rastrigin, Ackley, Griewank,
Levy) list them all, computed at import by Newton's method from their lattice points (a few ms).
"""

from __future__ import annotations

import numpy as np

from landscape import formulas as fn
from landscape.base import Surface
from landscape.build import grid_starts, lattice, lattice_minima, surface
from landscape.minima import as_minima


def _rosenbrock_fdf(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``fn.rosenbrock`` and ``fn.rosenbrock_grad`` in one pass, sharing 1 - x and r = y - x^2
    (the same operations in the same order, so the same bits)."""
    om, r = 1 - x, y - x**2
    gx = -2 * om
    t = 400 * x
    t *= r
    gx -= t  # -2 (1 - x) - 400 x r
    gy = 200 * r
    om *= om
    r *= r
    r *= 100
    om += r  # (1 - x)^2 + 100 r^2
    return om, gx, gy


def _ackley_fdf(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``fn.ackley`` and ``fn.ackley_grad`` in one pass: the radius, both exponentials and the
    cosine phases are computed once (the same operations in the same order, so the same bits)."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    s = np.sqrt(0.5 * (x**2 + y**2))
    tx, ty = 2 * fn.PI * x, 2 * fn.PI * y
    e_r, e_c = np.exp(-0.2 * s), np.exp(0.5 * (np.cos(tx) + np.cos(ty)))
    value = -20 * e_r - e_c + np.e + 20
    pos = s > 0  # the gradient is defined as 0 at the origin (see fn.ackley_grad)
    radial = np.where(pos, 2 * e_r / np.where(pos, s, 1.0), 0.0)
    return value, radial * x + fn.PI * e_c * np.sin(tx), radial * y + fn.PI * e_c * np.sin(ty)


def _himmelblau_fdf(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``fn.himmelblau`` and ``fn.himmelblau_grad`` in one pass, sharing a = x^2 + y - 11 and
    b = x + y^2 - 7 (the same operations in the same order, so the same bits)."""
    a, b = x**2 + y - 11, x + y**2 - 7
    gx = 4 * x
    gx *= a
    gx += 2 * b  # 4 x a + 2 b
    gy = 4 * y
    gy *= b
    gy += 2 * a  # 2 a + 4 y b
    a *= a
    b *= b
    a += b  # a^2 + b^2
    return a, gx, gy

ROSENBROCK = surface(
    "rosenbrock", fn.rosenbrock, fn.rosenbrock_grad,
    fdf=_rosenbrock_fdf,
    title="Rosenbrock's banana valley",
    description="""
        A curved, flat-bottomed valley: finding the valley is easy, following it to (1, 1) is not.
        Watch plain gradient descent inch along the floor, still moving when the race ends, while
        momentum and Adam slide down it (and a too-large learning rate blow up on the steep
        walls).
    """,
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    minima=as_minima([(1.0, 1.0)], [0.0]),
    default_start=(-1.5, 2.5),
    latex=r"f(x,y) = (1-x)^2 + 100\,(y-x^2)^2",
    log_scale=True,
)

HIMMELBLAU = surface(
    "himmelblau", fn.himmelblau, fn.himmelblau_grad,
    fdf=_himmelblau_fdf,
    title="Himmelblau's four valleys",
    description="""
        Four global minima, all at height 0, around a central hill. Watch optimizers that start
        together split up and land in different valleys: which one you reach depends on the path.
    """,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=as_minima(
        [(3.0, 2.0), (-2.80511808695, 3.13131251825), (-3.77931025338, -3.28318599129),
         (3.58442834033, -1.84812652696)],
        [0.0, 0.0, 0.0, 0.0],
    ),
    default_start=(0.0, -3.2),
    latex=r"f(x,y) = (x^2+y-11)^2 + (x+y^2-7)^2",
    log_scale=True,
)

RASTRIGIN = surface(
    "rastrigin", fn.rastrigin, fn.rastrigin_grad,
    title="Rastrigin's egg crate",
    description="""
        A bowl covered by a regular grid of 121 minima (120 local). Watch gradient methods stop in
        the first dimple they meet, while random search (and luck) can land near the global one at
        0.
    """,
    domain=((-5.12, 5.12), (-5.12, 5.12)),
    minima=lattice_minima(fn.rastrigin, fn.rastrigin_grad, ((-5.12, 5.12), (-5.12, 5.12)),
                           lattice(np.arange(-5.0, 6.0), np.arange(-5.0, 6.0))),
    default_start=(-2.3, 2.6),
    latex=r"f(x,y) = 20 + \sum_{v\in\{x,y\}} \left(v^2 - 10\cos 2\pi v\right)",
)

ACKLEY = surface(
    "ackley", fn.ackley, fn.ackley_grad,
    fdf=_ackley_fdf,
    title="Ackley's funnel",
    description="""
        A nearly flat, rippled plateau with a sharp funnel in the middle. Watch small steps get
        caught in ripples far from the centre; momentum can roll over them into the funnel.
    """,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=lattice_minima(fn.ackley, fn.ackley_grad, ((-5.0, 5.0), (-5.0, 5.0)),
                           lattice(np.arange(-5.0, 6.0), np.arange(-5.0, 6.0))),
    default_start=(-2.7, 0.5),
    latex=r"f(x,y) = -20\,e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20",
)

BEALE = surface(
    "beale", fn.beale, fn.beale_grad,
    title="Beale's flat cross",
    description="""
        The lines x = 0 and y = 1 are level (height 14.2) and cross at a saddle at (0, 1). A curved
        valley leads to the minimum at (3, 0.5); a second shallow valley on the left slopes away
        from it. Watch which valley each optimizer enters; large learning rates explode on the
        steep walls.
    """,
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    minima=as_minima([(3.0, 0.5)], [0.0]),
    default_start=(-2.0, 2.0),
    latex=r"f(x,y) = (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
    log_scale=True,
)

BOOTH = surface(
    "booth", fn.booth, fn.booth_grad,
    title="Booth's tilted bowl",
    description="""
        A plain quadratic bowl, tilted and stretched: every method gets to (1, 3). Watch the
        learning rate alone decide between crawling, zig-zagging and diverging.
    """,
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=as_minima([(1.0, 3.0)], [0.0]),
    default_start=(-8.0, -7.0),
    latex=r"f(x,y) = (x+2y-7)^2 + (2x+y-5)^2",
    log_scale=True,
)

MATYAS = surface(
    "matyas", fn.matyas, fn.matyas_grad,
    title="Matyas' shallow trough",
    description="""
        A quadratic bowl with a shallow diagonal trough. Watch plain gradient descent slow down
        along the flat diagonal while adaptive methods keep their pace.
    """,
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=as_minima([(0.0, 0.0)], [0.0]),
    default_start=(-8.0, -6.0),
    latex=r"f(x,y) = 0.26\,(x^2+y^2) - 0.48\,xy",
)

SIX_HUMP_CAMEL = surface(
    "six_hump_camel", fn.six_hump_camel, fn.six_hump_camel_grad,
    title="Six-hump camel",
    description="""
        Six valleys: two global minima near the centre, four local ones at the sides. Watch which
        valley each optimizer settles in from a start on the flank.
    """,
    domain=((-3.0, 3.0), (-2.0, 2.0)),
    minima=as_minima(
        [(-0.0898420131003, 0.712656403021), (0.0898420131003, -0.712656403021),
         (-1.70360671497, 0.796083568673), (1.70360671497, -0.796083568673),
         (1.60710475292, 0.568651454884), (-1.60710475292, -0.568651454884)],
        [-1.03162845349, -1.03162845349, -0.215463824384, -0.215463824384,
         2.10425031031, 2.10425031031],
    ),
    default_start=(-2.4, 1.2),
    latex=r"f(x,y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2-4)\,y^2",
    log_scale=True,
)

THREE_HUMP_CAMEL = surface(
    "three_hump_camel", fn.three_hump_camel, fn.three_hump_camel_grad,
    title="Three-hump camel",
    description="""
        One global minimum at the origin between two shallow side valleys. Watch a start on the
        side: gradient descent stops in the side valley at 0.2986, momentum may roll through.
    """,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minima=as_minima(
        [(0.0, 0.0), (-1.74755234583, 0.873776172915), (1.74755234583, -0.873776172915)],
        [0.0, 0.298638442237, 0.298638442237],
    ),
    default_start=(-1.8, -1.7),
    latex=r"f(x,y) = 2x^2 - 1.05x^4 + \tfrac{x^6}{6} + xy + y^2",
)

STYBLINSKI_TANG = surface(
    "styblinski_tang", fn.styblinski_tang, fn.styblinski_tang_grad,
    title="Styblinski-Tang",
    description="""
        Four valleys in the corners of a square, at three depths: -78.3 at the lower left, -64.2 at
        the upper left and lower right, -50.1 at the upper right. Watch the start decide: gradient
        methods stay in the valley on their side of the ridges near x = 0.16 and y = 0.16 (roughly
        the quadrant they start in), even the shallowest.
    """,
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=as_minima(
        [(-2.90353402777, -2.90353402777), (-2.90353402777, 2.74680277099),
         (2.74680277099, -2.90353402777), (2.74680277099, 2.74680277099)],
        [-78.3323314075, -64.1956123591, -64.1956123591, -50.0588933106],
    ),
    default_start=(0.3, 0.3),
    latex=r"f(x,y) = \tfrac12 \sum_{v\in\{x,y\}} \left(v^4 - 16v^2 + 5v\right)",
)

GOLDSTEIN_PRICE = surface(
    "goldstein_price", fn.goldstein_price, fn.goldstein_price_grad,
    title="Goldstein-Price",
    description="""
        Values from 3 to a million: steep cliffs, a deep narrow global valley at (0, -1) and three
        local minima. Watch plain gradient descent explode unless its learning rate is tiny.
    """,
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minima=as_minima([(0.0, -1.0), (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)],
                     [3.0, 30.0, 84.0, 840.0]),
    default_start=(-1.0, 1.0),
    latex=r"f(x,y) = \left[1+(x+y+1)^2 P\right]\left[30+(2x-3y)^2 Q\right],\ "
    r"P = 19-14x+3x^2-14y+6xy+3y^2,\ Q = 18-32x+12x^2+48y-36xy+27y^2",
    log_scale=True,
)

LEVY = surface(
    "levy", fn.levy, fn.levy_grad,
    title="Levy",
    description="""
        Ripples of different sizes along x and y over a bowl centred on (1, 1), with dozens of local
        minima. Watch gradient descent and momentum creep from ripple to ripple while Adam
        crosses them to the centre.
    """,
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=lattice_minima(fn.levy, fn.levy_grad, ((-10.0, 10.0), (-10.0, 10.0)),
                           grid_starts(fn.levy, ((-10.0, 10.0), (-10.0, 10.0)), 201)),
    default_start=(5.4, -1.8),
    latex=r"f = \sin^2\pi w_1 + (w_1-1)^2\left[1+10\sin^2(\pi w_1+1)\right] "
    r"+ (w_2-1)^2\left[1+\sin^2 2\pi w_2\right],\ w_i = 1+\tfrac{x_i-1}{4}",
)

MCCORMICK = surface(
    "mccormick", fn.mccormick, fn.mccormick_grad,
    title="McCormick",
    description="""
        A tilted valley with a sine ripple: the global minimum of this map at the lower left
        (beyond the map the function keeps falling, down the valley x = y) and a local one up
        the valley. Watch starts on the upper side stop in the local minimum at 1.228.
    """,
    domain=((-1.5, 4.0), (-3.0, 4.0)),
    minima=as_minima([(-0.547197551197, -1.5471975512), (2.59439510239, 1.59439510239)],
                     [-1.91322295498, 1.22836969861]),
    default_start=(3.5, 3.5),
    latex=r"f(x,y) = \sin(x+y) + (x-y)^2 - 1.5x + 2.5y + 1",
)

_GRIEWANK_STARTS = lattice(
    np.pi * np.arange(-3.0, 4.0), np.sqrt(2.0) * np.pi * np.arange(-2.0, 3.0)
)

GRIEWANK = surface(
    "griewank", fn.griewank, fn.griewank_grad,
    title="Griewank",
    description="""
        An almost flat bowl under an egg-crate of cosines: 17 minima (16 local) whose values differ
        by less than 0.03. Watch optimizers settle in whichever dimple is nearest.
    """,
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=lattice_minima(fn.griewank, fn.griewank_grad, ((-10.0, 10.0), (-10.0, 10.0)),
                           _GRIEWANK_STARTS),
    default_start=(-5.4, -3.6),
    latex=r"f(x,y) = 1 + \frac{x^2+y^2}{4000} - \cos x \,\cos\frac{y}{\sqrt2}",
)

EASOM = surface(
    "easom", fn.easom, fn.easom_grad,
    title="Easom's needle",
    description="""
        One narrow hole at (pi, pi) in an almost flat, faintly rippled plane. Watch the start's
        tiny slope (below 0.01): gradient descent creeps for some 60 steps before the hole pulls it
        in, while Adam and Adagrad, which rescale tiny gradients, are in within 20. In the corners
        gradient descent crawls and Adam and Adagrad mostly settle in ripple hollows; random
        search finds the hole only by luck.
    """,
    domain=((0.0, 6.0), (0.0, 6.0)),
    minima=as_minima(
        [(np.pi, np.pi), (1.30499545044, 1.30499545044), (1.30499545044, 4.97818985674),
         (4.97818985674, 1.30499545044), (4.97818985674, 4.97818985674)],
        [-1.0, -8.11022389157e-05, -8.11022389157e-05, -8.11022389157e-05, -8.11022389157e-05],
    ),
    default_start=(4.1, 1.4),
    latex=r"f(x,y) = -\cos x\,\cos y\;e^{-(x-\pi)^2-(y-\pi)^2}",
)

_TRAY_DOMAIN = ((-10.0, 10.0), (-10.0, 10.0))

CROSS_IN_TRAY = surface(
    "cross_in_tray", fn.cross_in_tray, fn.cross_in_tray_grad,
    title="Cross-in-tray",
    description="""
        Ridges along x = k pi and y = k pi cut the tray into cells; the 36 within |x|, |y| <
        3 pi hold a minimum each, the four by the origin deepest. A gradient never points
        across a ridge, so small steps stay in their cell: watch RMSprop hop across several
        (its first steps are ten rates per axis). Adagrad's first step is one rate per axis:
        it leaps a ridge only at a larger rate (try 2).
    """,
    domain=_TRAY_DOMAIN,
    minima=lattice_minima(fn.cross_in_tray, fn.cross_in_tray_grad, _TRAY_DOMAIN,
                          grid_starts(fn.cross_in_tray, _TRAY_DOMAIN, 201)),
    default_start=(1.8, 4.5),
    latex=r"f(x,y) = -10^{-4}\left(\left|\sin x\,\sin y\;e^{\left|100-\sqrt{x^2+y^2}/\pi\right|}"
    r"\right| + 1\right)^{0.1}",
)

CLASSIC: tuple[Surface, ...] = (
    ROSENBROCK, HIMMELBLAU, RASTRIGIN, ACKLEY, BEALE, BOOTH, MATYAS, SIX_HUMP_CAMEL,
    THREE_HUMP_CAMEL, STYBLINSKI_TANG, GOLDSTEIN_PRICE, LEVY, MCCORMICK, GRIEWANK, EASOM,
    CROSS_IN_TRAY,
)
