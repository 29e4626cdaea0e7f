"""Fill locale/es/LC_MESSAGES/django.po from the Spanish below (run after makemessages).

Usage: python locale/translate_es.py   (then: python manage.py compilemessages)
A msgid missing here keeps an empty msgstr, which tests/test_family_i18n.py reports.
"""

import re
from pathlib import Path

PO = Path(__file__).resolve().parent / "es" / "LC_MESSAGES" / "django.po"

SPANISH = {
    "Learning: math": "Aprendizaje: matemáticas",
    "Learning: reading": "Aprendizaje: lectura",
    "Thriving": "Bienestar",
    "Belonging": "Pertenencia",
    "Other": "Otro",
    "Trend of %(name)s": "Evolución de %(name)s",
    "Baseline %(baseline)s%(unit)s, target %(target)s%(unit)s by %(date)s; "
    "%(count)s measurements, the latest %(value)s%(unit)s on %(day)s.": "Punto de partida "
    "%(baseline)s%(unit)s, meta %(target)s%(unit)s para el %(date)s; %(count)s mediciones, la "
    "última %(value)s%(unit)s el %(day)s.",
    "Baseline %(baseline)s%(unit)s, target %(target)s%(unit)s by %(date)s; no "
    "measurement yet.": "Punto de partida %(baseline)s%(unit)s, meta %(target)s%(unit)s para el "
    "%(date)s; todavía no hay mediciones.",
    "baseline": "punto de partida",
    "target": "meta",
    "target date": "fecha de la meta",
    "English": "inglés",
    "Spanish": "español",
    "Vietnamese": "vietnamita",
    "Chinese": "chino",
    "Tagalog": "tagalo",
    "Arabic": "árabe",
    "Korean": "coreano",
    "Russian": "ruso",
    "Somali": "somalí",
    "Hmong": "hmong",
    "Punjabi": "panyabí",
    "Amharic": "amárico",
    "Community progress meeting": "Reunión comunitaria sobre el progreso",
    "Family and community cadre": "Grupo de familias y comunidad",
    "Title I annual parent meeting": "Reunión anual de padres del Título I",
    "School results meeting": "Reunión sobre los resultados de la escuela",
    "Higher is better": "Mejor cuanto más alto",
    "Lower is better": "Mejor cuanto más bajo",
    "Distinguished": "Distinguida",
    "Meets expectations": "Cumple las expectativas",
    "Accredited on watch": "Acreditada en observación",
    "Accredited on priority watch": "Acreditada en observación prioritaria",
    "Accredited on probation": "Acreditada en período de prueba",
    "Student growth": "Crecimiento de los estudiantes",
    "Student achievement": "Rendimiento de los estudiantes",
    "Closing the gaps": "Reducción de las brechas",
    "Student engagement": "Participación de los estudiantes",
    "College and career readiness": "Preparación para la universidad y la carrera",
    "On track": "Va bien",
    "At risk": "En riesgo",
    "Off track": "Va atrasado",
    "No data yet": "Aún sin datos",
    "Skip to main content": "Ir al contenido principal",
    "Language": "Idioma",
    "Published by %(school)s for its families.": "Publicado por %(school)s para sus familias.",
    "%(school)s – School Blueprint %(year)s": "%(school)s – Plan escolar %(year)s",
    "Back to the families' page": "Volver a la página de las familias",
    "Our School Blueprint %(year)s": "Nuestro plan escolar %(year)s",
    "Our goals for the year, how we plan to reach them, and how we measure "
    "progress in learning, thriving and belonging.": "Nuestras metas para el año, cómo "
    "pensamos alcanzarlas y cómo medimos el progreso en aprendizaje, bienestar y pertenencia.",
    "Our theory of action": "Nuestra teoría de acción",
    "%(school)s – for families": "%(school)s – para las familias",
    "Welcome, families": "Bienvenidas, familias",
    "Our school's results, goals and upcoming community meetings.": "Los resultados, las "
    "metas y las próximas reuniones comunitarias de nuestra escuela.",
    "We offer interpretation in: %(list)s.": "Ofrecemos interpretación en: %(list)s.",
    "How our school is doing": "Cómo le va a nuestra escuela",
    "This summary is written in %(name)s.": "Este resumen está escrito en %(name)s.",
    "The school has not published its summary of this year's results yet. Please "
    "check back soon.": "La escuela todavía no ha publicado el resumen de los resultados de "
    "este año. Vuelva a consultar pronto.",
    "Our goals and how they are going": "Nuestras metas y cómo van",
    "We will report progress on this goal at our next community meeting.": "Informaremos "
    "sobre el progreso de esta meta en nuestra próxima reunión comunitaria.",
    "Our goals for the year will appear here once the school publishes them.": "Nuestras "
    "metas para el año aparecerán aquí cuando la escuela las publique.",
    "Read our School Blueprint: how we plan to reach these goals": "Lea nuestro plan "
    "escolar: cómo pensamos alcanzar estas metas",
    "Upcoming community meetings": "Próximas reuniones comunitarias",
    "When": "Cuándo",
    "Where": "Dónde",
    "Online": "En línea",
    "Join the video call": "Unirse a la videollamada",
    "Interpretation": "Interpretación",
    "None offered": "No se ofrece",
    "Add to my calendar": "Agregar a mi calendario",
    "No community meeting is scheduled right now.": "Por ahora no hay reuniones "
    "comunitarias programadas.",
    "Goals": "Metas",
    "Set with families at a community meeting": "Fijada con las familias en una reunión "
    "comunitaria",
    "No goal yet.": "Todavía no hay metas.",
    "Initiatives": "Iniciativas",
    "No initiative yet.": "Todavía no hay iniciativas.",
    "Leading measures": "Indicadores de avance",
    "No leading measure yet.": "Todavía no hay indicadores de avance.",
    "Baseline %(baseline)s%(unit)s → target %(target)s%(unit)s by %(date)s": "Punto de "
    "partida %(baseline)s%(unit)s → meta %(target)s%(unit)s para el %(date)s",
    "Latest: <strong>%(value)s%(unit)s</strong> on %(date)s": "Último dato: "
    "<strong>%(value)s%(unit)s</strong> el %(date)s",
    "No value recorded yet.": "Todavía no hay datos.",
    "%(school)s's School Performance Framework (SPF) rating for %(year)s is "
    '"%(rating)s": the school earned %(overall)s%% of the points it could earn.': "La "
    "calificación de %(school)s en el Marco de Desempeño Escolar (SPF) de %(year)s es "
    '"%(rating)s": la escuela obtuvo el %(overall)s%% de los puntos posibles.',
    'Last year the rating was "%(rating)s", with %(overall)s%% of the points.': "El año "
    'pasado la calificación fue "%(rating)s", con el %(overall)s%% de los puntos.',
    "How we did on each part of the framework:": "Cómo nos fue en cada parte del marco:",
    "What this means for our students, and what we will do about it:": "Qué significa "
    "esto para nuestros estudiantes y qué vamos a hacer:",
    "Hello %(name)s,": "Hola, %(name)s:",
    "A reminder from SchoolPlan:": "Un recordatorio de SchoolPlan:",
    "Your reminders for today:": "Sus recordatorios de hoy:",
    "by %(day)s": "para el %(day)s",
    "Choose which reminders you get, or one daily digest instead:": "Elija qué "
    "recordatorios recibe, o un resumen diario en su lugar:",
    "Choose which reminders you get, or one daily digest instead": "Elija qué "
    "recordatorios recibe, o un resumen diario en su lugar",
    "Your SchoolPlan reminders for %(day)s": "Sus recordatorios de SchoolPlan del %(day)s",
    "%(school)s's SPF results for %(year)s are not in yet.": "Los resultados del SPF de "
    "%(school)s para %(year)s todavía no están disponibles.",
}


def _unquote(lines):
    return "".join(re.match(r'^(?:msgid |msgstr )?"(.*)"$', line).group(1) for line in lines)


def _escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main():
    text = PO.read_text(encoding="utf-8")
    # makemessages can leave no blank line between the header and the first entry.
    text = re.sub(r'^(msgid ""\nmsgstr ""\n(?:".*"\n)+)(?=#)', r"\1\n", text, count=1, flags=re.M)
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        lines = block.split("\n")
        ids = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
        strs = [i for i, line in enumerate(lines) if line.startswith("msgstr ")]
        if not ids or not strs:
            out.append(block)
            continue
        msgid = _unquote(lines[ids[0] : strs[0]]).encode().decode("unicode_escape")
        msgid = msgid.encode("latin-1").decode("utf-8")
        if msgid == "":  # the header
            block = block.replace("#, fuzzy\n", "").replace('"Language: \\n"', '"Language: es\\n"')
            out.append(block)
            continue
        if msgid in SPANISH:
            lines = [line for line in lines[: strs[0]] if line != "#, fuzzy"]
            lines.append(f'msgstr "{_escape(SPANISH[msgid])}"')
            block = "\n".join(lines)
        out.append(block)
    PO.write_text("\n\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
