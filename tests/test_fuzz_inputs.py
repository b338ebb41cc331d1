"""Any bytes a person can drop give a French message or a result, never a traceback (hypothesis):
the config file, the IVR export, the partner's tracking file, the road table, and any cell value."""
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.ivr_log import read_ivr_log
from backoffice.kit_tracking import read_tracking
from backoffice.road_table import read_road_table
from backoffice.settings import load_settings
from sheets_sync import MemoryBackend, Workbook
from sheets_sync.errors import BackofficeError
from tests.factories import make_tabs

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# bytes that look like the real thing often enough to go past the first line
TOML_LIKE = st.lists(st.sampled_from([b"[suggest]\n", b"days = ", b"3", b"nan", b"-1", b"\"x\"", b"[[regions]]\n",
                                      b"code = ", b"[headers.Missions]\n", b"\"Date\" = ", b"[1, 2]", b"{a = 1}",
                                      b"\n", b"=", b"[", b"]", b"\xff", b"\x00", "é".encode()]), max_size=30)
CSV_LIKE = st.lists(st.sampled_from([b"date_appel;numero_appelant;code_saisi;resultat\n", b"N\xc2\xb0 commande;Statut;"
                                     b"N\xc2\xb0 suivi;Date\n", b"from;to;km;minutes\n", b"27/11/2026 07:50", b";",
                                     b",", b"\"", b"\n", b"\r\n", b"0612345678", b"OK", b"Livr\xc3\xa9", b"K-IDF-M1",
                                     b"12,5", b"\xff\xfe", b"\x00", b"x" * 50]), max_size=40)


def _dropped(data: bytes, suffix: str) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
    handle.write(data)
    handle.close()
    return Path(handle.name)


@FUZZ
@given(st.one_of(st.binary(max_size=300), TOML_LIKE.map(b"".join)))
def test_any_config_file_loads_or_says_why_in_french(data):
    path = _dropped(data, ".toml")
    try:
        load_settings(path, environ={})
    except BackofficeError as err:
        assert str(path) in str(err) or "environnement" in str(err)
    finally:
        path.unlink()


@FUZZ
@given(st.one_of(st.binary(max_size=400), CSV_LIKE.map(b"".join)))
def test_any_dropped_csv_is_read_or_refused_in_french(data):
    for reader, suffix in ((read_ivr_log, ".csv"), (read_tracking, ".csv"), (read_road_table, ".csv")):
        path = _dropped(data, suffix)
        try:
            reader(path)
        except BackofficeError as err:
            assert path.name in str(err)
        finally:
            path.unlink()


CELLS = st.one_of(st.none(), st.text(max_size=40), st.integers(-10**15, 10**15),
                  st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.sampled_from(
                      ["31/02/2026", "25:61", "=1+1", "06 12", "+262 692 12 34 56", "oui", "1e9", "-1e13"]))


@FUZZ
@given(st.dictionaries(st.sampled_from(["Date", "Début", "Fin", "Pause", "Salarié", "Statut", "Contrat", "Kit",
                                        "Accord 4 h", "Dérogation", "DPAE"]), CELLS, max_size=6),
       st.dictionaries(st.sampled_from(["Téléphone", "Visite médicale", "Rayon km", "Latitude", "Date de naissance",
                                        "Puissance fiscale", "Code postal", "Email"]), CELLS, max_size=5))
def test_any_cell_gives_findings_never_a_crash(mission, employee):
    from backoffice.settings import load_settings as defaults
    from rules.registry import RuleContext, all_rules

    data = Workbook(MemoryBackend(make_tabs(missions=[{"Salarié": "S0001", **mission}],
                                            employees=[employee]))).load()
    ctx = RuleContext(data, defaults(environ={}), __import__("datetime").datetime(2026, 11, 27, 8, 0))
    for rule in all_rules():
        list(rule.func(ctx))


@FUZZ
@given(st.dictionaries(st.sampled_from(["Date", "Début", "Fin", "Pause", "Salarié", "Statut", "Contrat", "Opération",
                                        "Type", "Présence"]), CELLS, max_size=6),
       st.dictionaries(st.sampled_from(["Téléphone", "Email", "Taux horaire", "N° sécurité sociale", "Date de naissance",
                                        "Adresse", "Prénom", "Statut"]), CELLS, max_size=5))
def test_any_cell_gives_the_offers_and_contracts_plans_never_a_crash(mission, employee):
    """The plans of ``contracts`` (documents and sends aside) and ``offers`` (its preview) on any
    cell a person can type: findings, never an exception."""
    import datetime as dt

    from backoffice.jobs.base import JobContext
    from backoffice.jobs.contracts import ContractsOptions, contracts_step
    from backoffice.jobs.offers import OffersOptions, offers_step
    from backoffice.settings import Region
    from tests.factories import AGENCY

    cfg = load_settings(environ={}, overrides={"agency": AGENCY})
    tabs = make_tabs(missions=[{"N° mission": "M0001", "Salarié": "S0001", "Statut": "Confirmée", **mission},
                               {"N° mission": "M0002", "Salarié": "", **{k: v for k, v in mission.items()
                                                                         if k not in ("Salarié", "Statut")}}],
                     employees=[employee])
    now = dt.datetime(2026, 11, 27, 8, 0)
    for step in (lambda d, c: contracts_step(d, c, ContractsOptions(pdf=False)),
                 lambda d, c: contracts_step(d, c, ContractsOptions(pdf=False, send=True)),
                 lambda d, c: offers_step(d, c, OffersOptions())):
        data = Workbook(MemoryBackend(tabs)).load()
        with tempfile.TemporaryDirectory() as out:
            step(data, JobContext(cfg, Region("IDF"), now, out=out))
