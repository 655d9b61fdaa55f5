"""The cost game engine: invariants on random games, then published games with their answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from verkenning.errors import GameError
from verkenning.games import (
    Game,
    check_core,
    equal_split,
    fee_range,
    game_from_mapping,
    least_core,
    nearest_core,
    nucleolus,
    prenucleolus,
    properties,
    proportional,
    rules,
    scrb,
    shapley,
    shapley_sampled,
    standalone_comparison,
    tolerance,
)
from verkenning.games.game import block_sums, group_counts, subset_sums

NAMES = tuple("ABCDEFGHIJKLMNOPQRSTUVWXY")
TOL = 1e-7


def random_game(n: int, seed: int, kind: str = "cost") -> Game:
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 100, 1 << n)
    return Game(NAMES[:n], values, kind)


def coverage_game(n: int, seed: int) -> Game:
    """A concave (submodular) cost game: each player needs some of k facilities, each paid once."""
    rng = np.random.default_rng(seed)
    needs = rng.random((n, 6)) < 0.5
    price = rng.uniform(1, 50, 6)
    masks = np.arange(1 << n)
    members = (masks[:, None] >> np.arange(n)) & 1
    used = (members @ needs.astype(int)) > 0
    return Game(NAMES[:n], used @ price, "cost")


def is_balanced(rows: np.ndarray) -> bool:
    """Kohlberg: positive weights λ_S with Σ λ_S 1_S = 1_N exist (maximise the smallest λ)."""
    k, n = rows.shape
    # variables λ_1..λ_k, δ; maximise δ s.t. rows^T λ = 1, λ_S ≥ δ, δ ≤ 1
    a_eq = np.hstack([rows.T, np.zeros((n, 1))])
    a_ub = np.hstack([-np.eye(k), np.ones((k, 1))])
    result = linprog(
        np.r_[np.zeros(k), -1.0],
        A_ub=a_ub,
        b_ub=np.zeros(k),
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=[(0, None)] * k + [(None, 1)],
        method="highs",
    )
    return result.status == 0 and -result.fun > 1e-9


def kohlberg_holds(game: Game, x: np.ndarray) -> bool:
    """Kohlberg (1971): x is the pre-nucleolus iff every set D(α) = {S: e(S, x) ≤ α} is balanced."""
    c = game.cost_form
    excess = c - subset_sums(game.sign * np.asarray(x))
    masks = np.arange(1, game.grand)
    levels = np.unique(np.round(excess[masks], 9))
    for alpha in levels:
        worst = masks[excess[masks] <= alpha + 1e-9]
        rows = ((worst[:, None] >> np.arange(game.n)) & 1).astype(float)
        if not is_balanced(rows):
            return False
    return True


# --- invariants on random games -------------------------------------------------------------------

small = st.integers(min_value=2, max_value=6)
seeds = st.integers(min_value=0, max_value=2**31)
quick = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(small, seeds, st.sampled_from(["cost", "value"]))
def test_every_rule_adds_up_to_the_grand_coalition(n, seed, kind):
    game = random_game(n, seed, kind)
    total = game.values[game.grand]
    for rule in (shapley, prenucleolus, scrb, equal_split):
        assert rule(game).shares.sum() == pytest.approx(total, abs=TOL)
    assert least_core(game).allocation.shares.sum() == pytest.approx(total, abs=TOL)
    weights = np.arange(1, n + 1)
    assert proportional(game, weights).shares.sum() == pytest.approx(total, abs=TOL)


@pytest.mark.parametrize(("n", "group"), [(1, 1), (5, 0b10110), (8, 0), (8, 0xFF), (11, 0b10000000101)])
def test_group_counts_count_the_groups_members_in_every_coalition(n, group):
    # reference from the definition: |S ∩ group| by Python's bit count of the masks
    counts, meets = group_counts(n, group)
    expected = np.array([(mask & group).bit_count() for mask in range(1 << n)])
    np.testing.assert_array_equal(counts, expected)
    np.testing.assert_array_equal(meets, expected > 0)
    assert not counts.flags.writeable and not meets.flags.writeable  # cached: nobody may change them


def test_block_sums_are_the_subset_sums_of_their_block_to_the_bit():
    # reference from the definition: x(S) = Σ_{i ∈ S} x_i in increasing i, by Python's float sums
    x = np.random.default_rng(7).uniform(-1e6, 1e9, (2, 9))
    b = 4
    low = subset_sums(x[:, :b])
    for high in range(1 << (9 - b)):
        block = block_sums(low, x, high, b)
        for row in range(2):
            for low_mask in range(1 << b):
                mask, total = (high << b) | low_mask, 0.0
                for i in range(9):
                    if mask >> i & 1:
                        total += x[row, i]
                assert block[row, low_mask] == total


def test_the_tolerance_of_a_game_read_in_blocks_is_the_whole_games_to_the_bit(monkeypatch):
    rng = np.random.default_rng(12)
    games = rng.uniform(1e5, 9e9, (3, 1 << 12))
    games[:, 0] = 0.0
    games[1, 77] = np.nan  # a coalition not given counts as 0, in both
    whole = tolerance(games)
    assert np.isfinite(whole).all()
    monkeypatch.setattr(rules, "TOLERANCE_CELLS", 1 << 9)  # eight blocks of 2^9 coalitions
    np.testing.assert_array_equal(tolerance(games), whole)
    assert tolerance(games[2]) == whole[2]


@quick
@given(small, seeds)
def test_symmetric_players_get_the_same(n, seed):
    game = random_game(n, seed)
    values = np.array(game.values)
    masks = np.arange(1 << n)
    swapped = (masks & ~3) | ((masks & 1) << 1) | ((masks >> 1) & 1)
    values = (values + values[swapped]) / 2  # players A and B made interchangeable
    game = Game(game.players, values)
    for rule in (shapley, prenucleolus, scrb):
        shares = rule(game).shares
        assert shares[0] == pytest.approx(shares[1], abs=1e-6)


@quick
@given(small, seeds)
def test_a_null_player_gets_nothing_from_shapley(n, seed):
    game = random_game(n, seed)
    values = np.array(game.values)
    masks = np.arange(1 << n)
    values = values[masks & ~1]  # A adds nothing to any coalition
    values[0] = 0.0
    assert shapley(Game(game.players, values)).shares[0] == pytest.approx(0.0, abs=TOL)


@quick
@given(small, seeds, seeds)
def test_shapley_is_additive(n, seed_a, seed_b):
    a, b = random_game(n, seed_a), random_game(n, seed_b)
    both = Game(a.players, a.values + b.values)
    np.testing.assert_allclose(shapley(both).shares, shapley(a).shares + shapley(b).shares, atol=TOL)


@quick
@given(small, seeds)
def test_value_and_cost_forms_mirror_each_other(n, seed):
    cost = random_game(n, seed)
    value = Game(cost.players, -cost.values, "value")
    for rule in (shapley, prenucleolus, scrb):
        np.testing.assert_allclose(rule(value).shares, -rule(cost).shares, atol=1e-6)
    assert least_core(value).epsilon == pytest.approx(least_core(cost).epsilon, abs=1e-6)


@quick
@given(st.integers(min_value=2, max_value=7), seeds)
def test_concave_cost_games_have_shapley_and_nucleolus_in_the_core(n, seed):
    # Shapley (1971): the core of a convex game is non-empty and contains the Shapley value.
    game = coverage_game(n, seed)
    assert properties(game)["concave"] and properties(game)["subadditive"]
    assert least_core(game).epsilon <= 1e-9
    assert check_core(game, shapley(game)).in_core
    x = nucleolus(game)
    assert check_core(game, x).in_core
    np.testing.assert_allclose(x.shares, prenucleolus(game).shares, atol=1e-6)


@quick
@given(small, seeds)
def test_prenucleolus_satisfies_kohlberg(n, seed):
    game = random_game(n, seed)
    assert kohlberg_holds(game, prenucleolus(game).shares)


def test_kohlberg_check_rejects_a_wrong_allocation():
    game = random_game(4, 7)
    x = prenucleolus(game).shares + np.array([1.0, -1.0, 0.0, 0.0])
    assert not kohlberg_holds(game, x)


@quick
@given(st.integers(min_value=2, max_value=6), seeds)
def test_nucleolus_share_lies_in_the_fee_range(n, seed):
    game = coverage_game(n, seed)
    x = nucleolus(game)
    for i, player in enumerate(game.players):
        fee = fee_range(game, player)
        assert not fee.core_empty
        assert fee.low - 1e-6 <= x.shares[i] <= fee.high + 1e-6
        assert fee.high <= game.values[1 << i] + 1e-6, "nobody pays more than alone"


@quick
@given(small, seeds)
def test_least_core_allocation_meets_its_epsilon(n, seed):
    game = random_game(n, seed)
    lc = least_core(game)
    check = check_core(game, lc.allocation)
    worst = max((v.amount for v in check.violations), default=-np.inf)
    assert worst <= lc.epsilon + 1e-6


def test_sampled_shapley_agrees_with_the_exact_value_within_its_errors():
    game = random_game(8, 3)
    exact = shapley(game).shares
    sampled = shapley_sampled(game, samples=4000, seed=11)
    z = np.abs(sampled.shares - exact) / sampled.standard_errors
    assert (z < 4.5).all()
    assert shapley_sampled(game, samples=4000, seed=11).shares.tolist() == sampled.shares.tolist()


def test_sampled_shapley_runs_on_a_function_of_sixty_players():
    rng = np.random.default_rng(1)
    weight = rng.uniform(1, 10, 60)

    def additive(masks):
        return ((masks[:, None] >> np.arange(60)) & 1) @ weight

    estimate = shapley_sampled([f"p{i}" for i in range(60)], additive, samples=50, seed=2)
    np.testing.assert_allclose(estimate.shares, weight, atol=1e-9)  # additive: each gets its own


def test_core_check_names_the_groups_worst_first():
    game = game_from_mapping(
        ["a", "b", "c"], {"a": 1, "b": 2, "c": 3, "a+b": 2, "a+c": 3, "b+c": 3, "a+b+c": 3}
    )
    check = check_core(game, [3, 0, 0])
    assert [v.coalition for v in check.violations] == [("a",), ("a", "b")]
    assert [v.amount for v in check.violations] == [2.0, 1.0]
    assert not check.in_core and check.efficiency_gap == 0.0
    assert check.count == 2 and check.worst(1) == check.violations[:1]
    comparison = standalone_comparison(game, shapley(game))
    assert comparison["c"]["gain"] == pytest.approx(3 - 11 / 6)


# --- published games --------------------------------------------------------------------------------


def airport(costs):
    """Airport game: c(S) = the longest runway any member of S needs."""
    n = len(costs)
    masks = np.arange(1 << n)
    members = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    return Game(NAMES[:n], np.where(members, np.asarray(costs, float), 0.0).max(axis=1))


def test_airport_shapley_matches_the_closed_form():
    # Littlechild and Owen (1973), "A simple expression for the Shapley value in a special case",
    # Management Science 20(3): with costs c_1 ≤ ... ≤ c_n, φ_i = Σ_{k ≤ i} (c_k − c_{k−1}) / (n − k + 1).
    costs = [1.0, 2.0, 3.0, 5.0, 8.0]
    increments = np.diff(np.r_[0.0, costs])
    expected = [sum(increments[k] / (5 - k) for k in range(i + 1)) for i in range(5)]
    np.testing.assert_allclose(shapley(airport(costs)).shares, expected, atol=1e-12)


def test_airport_nucleolus_is_littlechilds_sequence():
    # Littlechild (1974), "A simple expression for the nucleolus in a special case", IJGT 3: for the
    # airport game with costs 1, 2, 3 the smallest player is charged until its saving equals the rest's:
    # x = (1/2, 3/4, 7/4); the excesses (savings) are 1/2, 5/4, 5/4, 3/4, 3/4, 1/2.
    np.testing.assert_allclose(nucleolus(airport([1, 2, 3])).shares, [0.5, 0.75, 1.75], atol=1e-9)


@pytest.mark.parametrize(
    ("estate", "talmud"),
    [(100, [100 / 3, 100 / 3, 100 / 3]), (200, [50, 75, 75]), (300, [50, 100, 150])],
)
def test_bankruptcy_nucleolus_is_the_talmud_division(estate, talmud):
    # Aumann and Maschler (1985), "Game theoretic analysis of a bankruptcy problem from the Talmud",
    # JET 36: claims 100, 200, 300 (Mishna Ketubot 93a); the nucleolus of v(S) = max(0, E − d(N∖S))
    # gives the Talmud's division for E = 100, 200, 300.
    claims = np.array([100.0, 200.0, 300.0])
    masks = np.arange(8)
    outside = (((7 ^ masks)[:, None] >> np.arange(3)) & 1) @ claims
    game = Game(("d100", "d200", "d300"), np.maximum(0.0, estate - outside), "value")
    np.testing.assert_allclose(nucleolus(game).shares, talmud, atol=1e-7)


def test_glove_game():
    # One left glove (L), two right gloves (R1, R2); a pair is worth 1. The core is {(1, 0, 0)}
    # and the Shapley value (2/3, 1/6, 1/6) (Maschler, Solan and Zamir 2013, Game Theory, ch. 17-18).
    game = game_from_mapping(
        ["L", "R1", "R2"],
        {"L": 0, "R1": 0, "R2": 0, "L+R1": 1, "L+R2": 1, "R1+R2": 0, "L+R1+R2": 1},
        kind="value",
    )
    np.testing.assert_allclose(shapley(game).shares, [2 / 3, 1 / 6, 1 / 6], atol=1e-12)
    np.testing.assert_allclose(nucleolus(game).shares, [1, 0, 0], atol=1e-9)
    assert least_core(game).epsilon == pytest.approx(0.0, abs=1e-9)
    fee = fee_range(game, "L")
    assert (fee.low, fee.high) == pytest.approx((1.0, 1.0), abs=1e-9)


def test_majority_game_has_an_empty_core():
    # Three-player majority game (von Neumann and Morgenstern 1944): any two players win 1. The core
    # is empty; the least core has ε = 1/3 at (1/3, 1/3, 1/3), which is also the nucleolus.
    game = game_from_mapping(
        ["a", "b", "c"], {"a": 0, "b": 0, "c": 0, "a+b": 1, "a+c": 1, "b+c": 1, "a+b+c": 1}, kind="value"
    )
    lc = least_core(game)
    assert lc.core_empty and lc.epsilon == pytest.approx(1 / 3, abs=1e-9)
    np.testing.assert_allclose(nucleolus(game).shares, [1 / 3] * 3, atol=1e-9)
    fee = fee_range(game, "a")
    assert fee.core_empty and (fee.low, fee.high) == pytest.approx((1 / 3, 1 / 3), abs=1e-7)


def test_weighted_voting_shapley_shubik_index():
    # Shapley and Shubik (1954): the game [3; 2, 1, 1] has power index (2/3, 1/6, 1/6).
    weights = np.array([2, 1, 1])
    masks = np.arange(8)
    wins = ((((masks[:, None] >> np.arange(3)) & 1) @ weights) >= 3).astype(float)
    np.testing.assert_allclose(shapley(Game(("a", "b", "c"), wins, "value")).shares, [2 / 3, 1 / 6, 1 / 6])


def test_unanimity_game_splits_equally_among_its_carriers():
    # Shapley (1953): u_T(S) = 1 if T ⊆ S; φ_i = 1/|T| for i in T, 0 otherwise.
    masks = np.arange(1 << 5)
    carrier = 0b01011
    values = ((masks & carrier) == carrier).astype(float)
    np.testing.assert_allclose(
        shapley(Game(NAMES[:5], values, "value")).shares, [1 / 3, 1 / 3, 0, 1 / 3, 0], atol=1e-12
    )


def test_nucleolus_and_prenucleolus_differ_when_imputations_bind():
    """Worked by hand. v(1) = 1, v(2) = v(3) = 0, v(12) = v(13) = 0, v(23) = 1, v(N) = 1 (value game).
    Pre-nucleolus: by symmetry x2 = x3 = (1 − x1)/2; the two lowest excesses are e(1) = x1 − 1 and
    e(23) = −x1, both −1/2 at x1 = 1/2, so x = (1/2, 1/4, 1/4), which gives player 1 less than alone.
    Nucleolus: the imputations x1 ≥ 1, x2, x3 ≥ 0, Σ = 1 are the single point (1, 0, 0)."""
    game = game_from_mapping(
        ["1", "2", "3"], {"1": 1, "2": 0, "3": 0, "1+2": 0, "1+3": 0, "2+3": 1, "1+2+3": 1}, kind="value"
    )
    np.testing.assert_allclose(prenucleolus(game).shares, [0.5, 0.25, 0.25], atol=1e-9)
    np.testing.assert_allclose(nucleolus(game).shares, [1.0, 0.0, 0.0], atol=1e-9)


def test_scrb_on_the_airport_game():
    """Worked by hand for costs 1, 2, 3: separable costs m = c(N) − c(N∖i) = (0, 0, 1); non-separable
    g = 3 − 1 = 2; remaining benefits r = c(i) − m = (1, 2, 2); x = m + g r / 5 = (0.4, 0.8, 1.8)."""
    np.testing.assert_allclose(scrb(airport([1, 2, 3])).shares, [0.4, 0.8, 1.8], atol=1e-12)


def test_scrb_needs_only_its_coalitions():
    """Four players, no pairs given. m_i = c(N) − c(N∖i) = 2.5 − 2 = 0.5; g = 2.5 − 4 × 0.5 = 0.5;
    r_i = c(i) − m_i = 0.5 for all, so g is split equally: x_i = 0.5 + 0.125 = 0.625."""
    four = game_from_mapping(
        ["a", "b", "c", "d"],
        {"a": 1, "b": 1, "c": 1, "d": 1, "a+b+c": 2, "a+b+d": 2, "a+c+d": 2, "b+c+d": 2, "a+b+c+d": 2.5},
    )
    np.testing.assert_allclose(scrb(four).shares, [0.625] * 4)
    with pytest.raises(GameError, match=r"needs the value of a\+b"):
        shapley(four)


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("player", range(5))
def test_with_and_without_views_pair_each_coalition_with_the_player_added(player):
    """with_and_without over the last axis, for one game and a batch: by definition, the views hold
    v(S) and v(S ∪ player) for the coalitions S without the player, in increasing order of S."""
    from verkenning.games.game import with_and_without

    values = np.random.default_rng(player).uniform(0, 1, (3, 1 << 5))
    without = [s for s in range(1 << 5) if not s >> player & 1]
    added = [s | 1 << player for s in without]
    for batch in (values[0], values):
        absent, present = with_and_without(batch, player)
        lead = batch.shape[:-1]
        np.testing.assert_array_equal(absent.reshape(*lead, -1), batch[..., without])
        np.testing.assert_array_equal(present.reshape(*lead, -1), batch[..., added])
        assert np.shares_memory(absent, batch)  # views, not copies


def test_embedded_masks_give_the_subgame_of_some_players():
    from verkenning.games.game import embedded_masks

    game = random_game(6, 4)
    positions = [1, 2, 4]
    sub = game.values[embedded_masks(positions)]
    for mask in range(1 << 3):  # by definition: the coalition of the chosen players that mask names
        big = sum(1 << p for j, p in enumerate(positions) if mask >> j & 1)
        assert sub[mask] == game.values[big]
    np.testing.assert_array_equal(embedded_masks(range(6)), np.arange(64))


@pytest.mark.parametrize("positions", [[1, 2, 4], [0, 5], [3], [], list(range(6))])
def test_the_subgame_view_is_the_subgame_of_some_players_in_place(positions):
    """games.game.subgame_view reads the same coalitions as embedded_masks, in the same order, as a
    view of the batch's own memory (so a maximum over it needs no gathered copy)."""
    from verkenning.games.game import embedded_masks, subgame_view

    values = np.random.default_rng(3).uniform(size=(4, 1 << 6))
    view = subgame_view(values, positions)
    assert view.shape == (4, *([2] * len(positions))) and np.shares_memory(view, values)
    np.testing.assert_array_equal(view.reshape(4, -1), values[:, embedded_masks(positions)])


def test_a_game_file_reads_the_same_in_any_order():
    # mask order takes the quick reading; the reverse, with spaces, the careful one: the same table
    from verkenning.games import io

    game = random_game(7, 11)
    names = {m: "+".join(p for i, p in enumerate(game.players) if m >> i & 1) for m in range(1, 1 << 7)}
    ordered = {names[m]: float(game.values[m]) for m in range(1, 1 << 7)}
    scrambled = {" + ".join(names[m].split("+")[::-1]): int(game.values[m]) for m in range(127, 0, -1)}
    assert io._in_mask_order(game.players, ordered) is not None
    assert io._in_mask_order(game.players, scrambled) is None
    np.testing.assert_array_equal(game_from_mapping(game.players, ordered).values, game.values)
    np.testing.assert_array_equal(game_from_mapping(game.players, scrambled).values, np.trunc(game.values))
    with pytest.raises(GameError, match="names a player twice"):
        game_from_mapping(["a", "b"], {"a": 1, "a+a": 2})
    with pytest.raises(GameError, match="too large"):
        game_from_mapping(["a", "b"], {"a": 1, "b": 2, "a+b": 10**400})  # in mask order


def test_bad_games_say_what_is_wrong():
    with pytest.raises(GameError, match="unknown player 'z'"):
        game_from_mapping(["a", "b"], {"a+z": 1})
    with pytest.raises(GameError, match=r"'b\+a' is given twice \(also as 'a\+b'\)"):
        game_from_mapping(["a", "b"], {"a+b": 1, "b+a": 2})
    with pytest.raises(GameError, match="must be a number"):
        game_from_mapping(["a", "b"], {"a": "veel"})
    with pytest.raises(GameError, match="must be finite"):
        game_from_mapping(["a", "b"], {"a": float("nan")})
    with pytest.raises(GameError, match="use shapley_sampled"):
        Game.from_function([f"p{i}" for i in range(30)], lambda m: m * 0.0)
    with pytest.raises(GameError, match="imputation set"):
        nucleolus(game_from_mapping(["a", "b"], {"a": 1, "b": 1, "a+b": 3}))
    with pytest.raises(GameError, match="up to 20 players"):
        nucleolus(Game(NAMES[:21], np.zeros(1 << 21)))


def test_costs_of_a_billion_euro_allocate_like_the_scaled_game():
    game = random_game(6, 5)
    big = Game(game.players, game.values * 1e7 + 0.01 * np.arange(64) % 3)
    small = Game(game.players, big.values / 1e7)
    for rule in (shapley, prenucleolus, scrb):
        np.testing.assert_allclose(rule(big).shares / 1e7, rule(small).shares, rtol=1e-9, atol=1e-9)


def test_a_cent_counts_on_a_game_of_a_billion_per_member():
    # Costs of 10^9 euro per member, and every extra member saves the group one cent. The tolerance
    # follows the savings (the zero-normalised game), not the costs: an equal split that charges a
    # 2.3 cents more than it pays alone is out of the core, while the Shapley value is in it.
    alone = np.array([1e9, 1e9 + 0.03, 1e9 + 0.06])
    members = (np.arange(8)[:, None] >> np.arange(3)) & 1
    cost = members @ alone - 0.01 * np.maximum(members.sum(axis=1) - 1, 0)
    game = Game(("a", "b", "c"), cost, "cost")
    equal = np.full(3, cost[7] / 3)
    check = check_core(game, equal)
    assert not check.in_core
    violations = {v.coalition: v.amount for v in check.violations}
    assert violations[("a",)] == pytest.approx(equal[0] - 1e9, abs=1e-6)
    assert violations[("a",)] > 0.02
    assert check_core(game, shapley(game)).in_core
    worse = equal + np.array([0.015, -0.015, 0.0])  # 1.5 cents moved from b to a
    assert ("a",) in {v.coalition for v in check_core(game, worse).violations}


# --- the τ-value (cost-gap allocation) ------------------------------------------------------------------


def _bankruptcy(estate: float, claims: list[float]) -> Game:
    """v(S) = max(0, E − Σ_{j∉S} d_j): what S gets once everyone outside is paid in full."""
    n = len(claims)
    total = sum(claims)
    values = [
        max(0.0, estate - (total - sum(c for i, c in enumerate(claims) if mask >> i & 1)))
        for mask in range(1 << n)
    ]
    return Game(NAMES[:n], np.array(values), "value")


@pytest.mark.parametrize(
    ("estate", "expected"),
    # the τ-value of a bankruptcy game is the adjusted proportional rule (Curiel, Maschler and Tijs
    # 1987, Z. Oper. Res. 31: A143–A159): each gets its minimal right max(0, E − Σ_{j≠i} d_j), the rest
    # goes in proportion to the remaining claims truncated at what is left. Claims (100, 200, 300):
    # E = 200 and 300 give no minimal rights; E = 500 gives rights (0, 100, 200) and 200 left for
    # remaining claims (100, 100, 100)
    [(200, [40, 80, 80]), (300, [50, 100, 150]), (500, [200 / 3, 100 + 200 / 3, 200 + 200 / 3])],
)
def test_tau_of_a_bankruptcy_game_is_the_adjusted_proportional_rule(estate, expected):
    from verkenning.games import tau

    np.testing.assert_allclose(tau(_bankruptcy(estate, [100, 200, 300])).shares, expected, atol=1e-9)


def test_tau_of_a_cost_game_is_the_cost_gap_allocation():
    from verkenning.games import tau

    # the airport game worked by hand with Tijs and Driessen's (1986) cost gap: separable costs
    # m = (0, 0, 1), gaps g(S) = c(S) − m(S), λ_i = min_{S∋i} g(S) = (1, 2, 2), g(N) = 2 split by λ
    game = game_from_mapping("abc", {"a": 1, "b": 2, "c": 3, "a+b": 2, "a+c": 3, "b+c": 3, "a+b+c": 3})
    np.testing.assert_allclose(tau(game).shares, [0.4, 0.8, 1.8], atol=1e-12)
    # and the same game as a savings game gives each its own cost minus the same amounts
    savings = Game(game.players, subset_sums(game.standalone()) - game.values, "value")
    np.testing.assert_allclose(tau(savings).shares, game.standalone() - [0.4, 0.8, 1.8], atol=1e-12)


@given(st.integers(min_value=2, max_value=6), st.integers(min_value=0, max_value=10_000))
@settings(max_examples=25, deadline=None)
def test_tau_is_efficient_and_equals_shapley_for_two_players(n, seed):
    from verkenning.games import tau

    game = coverage_game(n, seed)  # concave: quasi-balanced, the τ-value exists
    x = tau(game).shares
    assert x.sum() == pytest.approx(game.values[game.grand], abs=1e-9)
    if n == 2:
        np.testing.assert_allclose(x, shapley(game).shares, atol=1e-9)


def test_tau_says_when_the_game_is_not_quasi_balanced():
    from verkenning.games import tau

    # v(a) + v(b) > v(N): the minimal rights add up to more than there is
    game = Game(("a", "b"), np.array([0.0, 2.0, 2.0, 3.0]), "value")
    with pytest.raises(GameError, match="quasi-balanced"):
        tau(game)


def test_nearest_core_allocation_by_hand_and_by_brute_force():
    """c({i}) = 10, c(pairs) = 15, c(N) = 21: the core asks x_i ≤ 10 and x_i ≥ 6 (the other pair
    pays at most 15). From (11, 5, 5) the nearest core point is (9, 6, 6): A cannot stay at 10 since
    B and C each need 6. Brute force over whole euros finds no core point closer than 4 euros."""
    values = np.array([0, 10, 10, 15, 10, 15, 15, 21], dtype=float)
    game = Game(("a", "b", "c"), values, "cost")
    shares = np.array([11.0, 5.0, 5.0])
    nearest = nearest_core(game, shares)
    np.testing.assert_allclose(nearest.shares, [9, 6, 6], atol=1e-7)
    assert check_core(game, nearest.shares).in_core
    best = min(
        abs(a - 11) + abs(b - 5) + abs(21 - a - b - 5)
        for a in range(22)
        for b in range(22 - a)
        if check_core(game, [a, b, 21 - a - b]).in_core
    )
    assert best == pytest.approx(np.abs(nearest.shares - shares).sum())
    assert nearest_core(game, [7.0, 7.0, 7.0]).shares == pytest.approx([7, 7, 7]), "in the core: unchanged"
    # c(pairs) = 12 leaves no stable split (3 × 12 / 2 = 18 < 21): the core is empty
    empty = Game(("a", "b", "c"), np.array([0, 10, 10, 12, 10, 12, 12, 21], dtype=float), "cost")
    assert nearest_core(empty, shares) is None


@pytest.mark.parametrize("cells", [1 << 17, 1 << 5])
def test_the_blocked_shapley_pass_agrees_with_the_marginal_formula(monkeypatch, cells):
    """The exact Shapley values of three 14-player games at once (one with v(∅) ≠ 0), read in
    blocks of 16, 1,024 and all coalitions, several games or one per batch, against
    φ_i = Σ_{S∌i} |S|!(n−|S|−1)!/n! (v(S∪i) − v(S)) written out for each game (Shapley 1953)."""
    import sys
    from math import factorial

    from verkenning.games import shapley_shares

    shapley_module = sys.modules["verkenning.games.shapley"]
    monkeypatch.setattr(shapley_module, "CACHE_CELLS", cells)
    n = 14
    games = np.random.default_rng(5).uniform(-50, 100, (3, 1 << n))
    games[:2, 0] = 0.0
    masks = np.arange(1 << n)
    size = np.array([bin(m).count("1") for m in masks])
    weight = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)])
    expected = np.zeros((3, n))
    for i in range(n):
        without = masks[(masks >> i & 1) == 0]
        expected[:, i] = (weight[size[without]] * (games[:, without | 1 << i] - games[:, without])).sum(1)
    for bits in (4, 10, 16):
        monkeypatch.setattr(shapley_module, "BLOCK_BITS", bits)
        one = shapley(Game(tuple(f"p{i}" for i in range(n)), games[0])).shares
        np.testing.assert_allclose(one, expected[0], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(shapley_shares(games), expected, rtol=1e-12, atol=1e-9)


@quick
@given(st.integers(min_value=2, max_value=6), seeds)
def test_fee_ranges_on_one_lp_agree_with_each_players_own(n, seed):
    from verkenning.games import fee_ranges

    game = coverage_game(n, seed)
    together = fee_ranges(game, game.players)
    for player, fee in zip(game.players, together, strict=True):
        alone = fee_range(game, player)  # a live LP of its own, its rows generated for it alone
        assert fee.player == player
        assert fee.low == pytest.approx(alone.low, abs=1e-6) and fee.high == pytest.approx(
            alone.high, abs=1e-6
        )


@pytest.mark.parametrize("cells", [1 << 17, 1 << 7, 1 << 5])
def test_subgame_tolerances_are_each_subgames_own_to_the_bit(monkeypatch, cells):
    """games.rules.subgame_tolerances reads every group's tolerance from one zero-normalisation of
    the whole game; each must be what tolerance() gives on the group's own game (its coalitions'
    costs taken out of the whole game), on a batch of games and with a coalition not given, whether
    the batch is read at once, two samples at a time, or one sample at a time because one sample's
    game is larger than a block (as at 20 members)."""
    import verkenning.games.rules as rules
    from verkenning.games.game import embedded_masks
    from verkenning.games.rules import subgame_tolerances, tolerance

    rng = np.random.default_rng(7)
    cost = rng.uniform(10, 1000, size=(5, 1 << 6)) * 10.0 ** rng.integers(0, 6, size=(5, 1))
    cost[:, 0] = 0.0
    cost[2, 17] = np.nan
    groups = [(0, 2, 5), (1, 3), (0, 1, 2, 3, 4, 5), (4,)]
    whole = [tolerance(cost[:, embedded_masks(list(g))]) for g in groups]  # before the blocks
    at_once = tolerance(cost)
    monkeypatch.setattr(rules, "TOLERANCE_CELLS", cells)
    found = subgame_tolerances(cost, [*groups, None])
    for group, tol, own in zip(groups, found, whole, strict=False):
        np.testing.assert_array_equal(tol, own, err_msg=str(group))
        assert tol.shape == (5,)
    np.testing.assert_array_equal(found[-1], at_once)
    assert (found[0] > 0).all()
